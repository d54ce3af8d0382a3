"""Accounting exports: pure writers per format (:mod:`.writers`) and the
service that picks the lines, writes the files atomically and stamps
``exported_at`` (:mod:`.service`)."""

from desktop.core.exports.service import ExportService

__all__ = ["ExportService"]
