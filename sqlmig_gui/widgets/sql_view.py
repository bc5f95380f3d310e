"""SQL text with syntax highlighting through Pygments, in colours that follow the palette.

Every SQL view of the window (the Pending tab's preview, the Schema tab's CREATE statement, the
console's editor) uses `SqlHighlighter`. Pygments' `sqlite3` lexer (`SqliteConsoleLexer`) reads
an interactive session with `sqlite>` prompts and output; the text here is plain SQL, so this uses
its SQL lexer (`SqlLexer`), which knows SQLite's keywords, strings, numbers and comments.
"""

from __future__ import annotations

from pygments.lexers.sql import SqlLexer
from pygments.token import Comment, Keyword, Name, Number, String, _TokenType
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

IN_BLOCK_COMMENT = 1  # a block's state: it ends inside a /* comment */
# token type → (colour on a light base, colour on a dark base); both readable on their base.
COLOURS: dict[_TokenType, tuple[str, str]] = {
    Keyword: ("#0b4f9c", "#82aaff"),
    Name.Builtin: ("#7a1fa2", "#c792ea"),  # type names: INTEGER, TEXT, …
    String: ("#2e7d32", "#c3e88d"),
    Number: ("#b34700", "#f78c6c"),
    Comment: ("#6b7280", "#8a93a6"),
}


class SqlHighlighter(QSyntaxHighlighter):
    """Highlights each line with Pygments' SQL lexer; a block comment carries over lines."""

    def __init__(self, document: QTextDocument, palette: QPalette) -> None:
        super().__init__(document)
        self.lexer = SqlLexer(stripnl=False, ensurenl=False)
        dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
        self.formats: dict[_TokenType, QTextCharFormat] = {}
        for token, (light_colour, dark_colour) in COLOURS.items():
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(dark_colour if dark else light_colour))
            if token is Keyword:
                fmt.setFontWeight(QFont.Weight.Bold)
            if token is Comment:
                fmt.setFontItalic(True)
            self.formats[token] = fmt

    def format_of(self, token: _TokenType) -> QTextCharFormat | None:
        while token is not None:
            if token in self.formats:
                return self.formats[token]
            token = token.parent
        return None

    def highlightBlock(self, text: str) -> None:
        carried = self.previousBlockState() == IN_BLOCK_COMMENT
        source = ("/*" + text) if carried else text
        offset = -2 if carried else 0
        position = 0
        last: _TokenType | None = None
        for token, value in self.lexer.get_tokens(source):
            fmt = self.format_of(token)
            start = max(position + offset, 0)
            end = position + len(value) + offset
            if fmt is not None and end > start:
                self.setFormat(start, end - start, fmt)
            position += len(value)
            if value.strip():
                last = token
        unfinished = last is not None and last in Comment.Multiline and (
            not source.rstrip().endswith("*/"))
        self.setCurrentBlockState(IN_BLOCK_COMMENT if unfinished else 0)


class SqlView(QPlainTextEdit):
    def __init__(self, parent: QWidget | None = None, *, name: str = "sqlPreview",
                 accessible: str = "SQL of the selected step",
                 placeholder: str = "Select a step to see its SQL.",
                 read_only: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setReadOnly(read_only)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setAccessibleName(accessible)
        self.setPlaceholderText(placeholder)
        self.highlighter = SqlHighlighter(self.document(), self.palette())

    def show_sql(self, text: str) -> None:
        self.setPlainText(text)
