"""Imports from devices: strength tests (VALD NordBord / ForceFrame, any dynamometer through a saved column
mapping) and speed (GPS per-session summaries, raw speed traces). Upload, preview, confirm in one transaction,
undo as a correction. `parsing/` is pure Python (standard library only)."""
