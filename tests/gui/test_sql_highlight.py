"""SQL highlighting through Pygments' SQL lexer, in every SQL view, in light and dark palettes."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor, QFont, QPalette, QTextCharFormat, QTextDocument

from sqlmig_gui.widgets.sql_view import IN_BLOCK_COMMENT, SqlHighlighter, SqlView


def format_in(document: QTextDocument, line: int, column: int) -> Any:
    block = document.findBlockByNumber(line)
    for fmt in block.layout().formats():
        if fmt.start <= column < fmt.start + fmt.length:
            return QTextCharFormat(fmt.format)
    return None


def formats_at(view: SqlView, line: int, column: int) -> Any:
    return format_in(view.document(), line, column)


def test_keywords_strings_and_a_comment_across_lines(qtbot: Any) -> None:
    view = SqlView()
    qtbot.addWidget(view)
    view.show_sql("SELECT name FROM t /* one\nstill comment */ WHERE x = 'a' -- end")
    keyword = formats_at(view, 0, 0)
    assert keyword is not None and keyword.fontWeight() == QFont.Weight.Bold
    assert formats_at(view, 0, 7) is None  # a plain name
    assert view.document().findBlockByNumber(0).userState() == IN_BLOCK_COMMENT
    comment = formats_at(view, 1, 2)
    assert comment is not None and comment.fontItalic()
    assert formats_at(view, 1, 18).fontWeight() == QFont.Weight.Bold  # WHERE after the comment
    assert formats_at(view, 1, 29).foreground().color() != keyword.foreground().color()  # 'a'


def test_dark_palette_gets_light_colours(qtbot: Any) -> None:
    colours = []
    for base in ("#ffffff", "#1e1f22"):
        palette = QPalette()
        palette.setColor(QPalette.ColorRole.Base, QColor(base))
        document = QTextDocument()
        highlighter = SqlHighlighter(document, palette)
        document.setPlainText("SELECT 1")
        highlighter.rehighlight()
        colours.append(format_in(document, 0, 0).foreground().color().lightness())
    assert colours[0] < 128 < colours[1]


def test_every_sql_view_of_the_window_highlights(window: Any) -> None:
    for name in ("sqlPreview", "createSqlView", "consoleEdit"):
        view = window.findChild(SqlView, name)
        assert view is not None and view.highlighter is not None, name
