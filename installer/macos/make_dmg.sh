#!/bin/sh
# The macOS disk image: Punchclock.app next to an Applications link, to drag across.
#   installer/macos/make_dmg.sh VERSION
# Run from the repository root on macOS after `pyinstaller installer/punchclock.spec`
# (which builds dist/Punchclock.app with installer/macos/Info.plist). Writes
# dist/punchclock-VERSION-macos.dmg. The app is ad-hoc signed only: without a
# Developer ID and notarization, Gatekeeper asks the user to confirm the first start.
set -eu
version=${1:?usage: make_dmg.sh VERSION}
app=dist/Punchclock.app
plist="$app/Contents/Info.plist"
plutil -lint "$plist"
[ "$(/usr/libexec/PlistBuddy -c 'Print :LSUIElement' "$plist")" = true ] ||
  { echo "LSUIElement is not set in $plist" >&2; exit 1; }
[ "$(/usr/libexec/PlistBuddy -c 'Print :CFBundleShortVersionString' "$plist")" = "$version" ] ||
  { echo "$plist is not version $version" >&2; exit 1; }
"$app/Contents/MacOS/punchclock" --version
stage=build/dmg
rm -rf "$stage"
mkdir -p "$stage"
cp -R "$app" "$stage/"
ln -s /Applications "$stage/Applications"
hdiutil create -volname "Punchclock $version" -srcfolder "$stage" -ov -format UDZO \
  "dist/punchclock-$version-macos.dmg"
