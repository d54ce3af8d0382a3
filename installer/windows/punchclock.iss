; Inno Setup 6 script: a per-user install of the PyInstaller folder (no admin rights).
;   iscc /DAppVersion=0.1.0 installer\windows\punchclock.iss
; (run from the repository root after `pyinstaller installer/punchclock.spec`;
; .github/workflows/installers.yml does both). Writes dist\punchclock-<version>-setup.exe.
;
; Uninstall removes the program folder, the Start menu entry and the login item,
; and nothing else: the user's database (%LOCALAPPDATA%\Punchclock) stays.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=x.y.z punchclock.iss
#endif

[Setup]
AppId={{6C7B1E55-2F0B-4C1A-9E64-5D8A3B0C4F21}
AppName=Punchclock
AppVersion={#AppVersion}
AppVerName=Punchclock {#AppVersion}
AppPublisher=Punchclock
; Per user: {autopf} is %LOCALAPPDATA%\Programs with lowest privileges.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\Punchclock
DefaultGroupName=Punchclock
DisableProgramGroupPage=yes
SourceDir=..\..
OutputDir=dist
OutputBaseFilename=punchclock-{#AppVersion}-setup
SetupIconFile=build\icons\punchclock.ico
UninstallDisplayIcon={app}\punchclock.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; A running tray app holds its files: ask it to close, as for an upgrade.
CloseApplications=yes

[Tasks]
Name: "startatlogin"; Description: "Start Punchclock when I log in"; GroupDescription: "Start:"
Name: "desktopicon"; Description: "Create a desktop icon"; GroupDescription: "Shortcuts:"; Flags: unchecked

[Files]
Source: "dist\punchclock\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Punchclock"; Filename: "{app}\punchclock.exe"
Name: "{group}\Uninstall Punchclock"; Filename: "{uninstallexe}"
Name: "{userdesktop}\Punchclock"; Filename: "{app}\punchclock.exe"; Tasks: desktopicon

[Registry]
; The same value the app's "Start at login" setting writes (desktop/ui/platform/autostart.py),
; so the setting shows it and can turn it off.
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "Punchclock"; ValueData: """{app}\punchclock.exe"""; Tasks: startatlogin; Flags: uninsdeletevalue
; Turned on later in Settings instead: still removed with the program.
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: none; ValueName: "Punchclock"; Flags: uninsdeletevalue

[Run]
Filename: "{app}\punchclock.exe"; Description: "Start Punchclock now"; Flags: nowait postinstall skipifsilent

[UninstallRun]
Filename: "{sys}\taskkill.exe"; Parameters: "/IM punchclock.exe /F"; Flags: runhidden; RunOnceId: "StopPunchclock"
