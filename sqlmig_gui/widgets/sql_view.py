"""A read-only SQL viewer with a small syntax highlighter that follows the palette."""

from __future__ import annotations

import re

from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QPalette,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)
from PySide6.QtWidgets import QPlainTextEdit, QWidget

_KEYWORD_TEXT = """
ABORT ACTION ADD AFTER ALL ALTER ANALYZE AND AS ASC AUTOINCREMENT BEFORE BEGIN BETWEEN BY CASCADE
CASE CAST CHECK COLLATE COLUMN COMMIT CONFLICT CONSTRAINT CREATE CROSS CURRENT_DATE CURRENT_TIME
CURRENT_TIMESTAMP DEFAULT DEFERRABLE DEFERRED DELETE DESC DISTINCT DROP EACH ELSE END ESCAPE EXCEPT
EXISTS FOREIGN FROM GLOB GROUP HAVING IF IGNORE IMMEDIATE IN INDEX INITIALLY INNER INSERT INSTEAD
INTERSECT INTO IS JOIN KEY LEFT LIKE LIMIT NOT NULL OF ON OR ORDER OUTER PRAGMA PRIMARY RECURSIVE
REFERENCES RENAME REPLACE RESTRICT ROLLBACK ROW ROWID SELECT SET STRICT TABLE TEMP THEN TO
TRANSACTION TRIGGER UNION UNIQUE UPDATE USING VALUES VIEW WHEN WHERE WITH WITHOUT
"""
_TYPE_TEXT = "INTEGER TEXT REAL BLOB NUMERIC TIMESTAMP DATE BOOLEAN"
KEYWORDS = _KEYWORD_TEXT.split()
TYPES = _TYPE_TEXT.split()


class SqlHighlighter(QSyntaxHighlighter):
    """Keywords, types, strings, numbers, `--` and `/* */` comments."""

    def __init__(self, document: QTextDocument, palette: QPalette) -> None:
        super().__init__(document)
        dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
        colours = {
            "keyword": "#82aaff" if dark else "#0b4f9c",
            "type": "#c792ea" if dark else "#7a1fa2",
            "string": "#c3e88d" if dark else "#2e7d32",
            "number": "#f78c6c" if dark else "#b34700",
            "comment": "#8a93a6" if dark else "#6b7280",
        }
        self.formats: dict[str, QTextCharFormat] = {}
        for name, colour in colours.items():
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(colour))
            if name == "keyword":
                fmt.setFontWeight(QFont.Weight.Bold)
            if name == "comment":
                fmt.setFontItalic(True)
            self.formats[name] = fmt
        words = "|".join(KEYWORDS)
        self.rules = [
            (re.compile(rf"\b(?:{words})\b", re.IGNORECASE), "keyword"),
            (re.compile(rf"\b(?:{'|'.join(TYPES)})\b", re.IGNORECASE), "type"),
            (re.compile(r"\b\d+(?:\.\d+)?\b"), "number"),
            (re.compile(r"'(?:[^']|'')*'?"), "string"),
            (re.compile(r"--[^\n]*"), "comment"),
        ]

    def highlightBlock(self, text: str) -> None:
        for pattern, name in self.rules:
            for match in pattern.finditer(text):
                self.setFormat(match.start(), match.end() - match.start(), self.formats[name])
        # /* ... */ across lines: state 1 = inside a block comment.
        self.setCurrentBlockState(0)
        start = 0 if self.previousBlockState() == 1 else text.find("/*")
        while start >= 0:
            end = text.find("*/", start + 2)
            if end < 0:
                self.setCurrentBlockState(1)
                self.setFormat(start, len(text) - start, self.formats["comment"])
                break
            self.setFormat(start, end + 2 - start, self.formats["comment"])
            start = text.find("/*", end + 2)


class SqlView(QPlainTextEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sqlPreview")
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setAccessibleName("SQL of the selected step")
        self.setPlaceholderText("Select a step to see its SQL.")
        self.highlighter = SqlHighlighter(self.document(), self.palette())

    def show_sql(self, text: str) -> None:
        self.setPlainText(text)
