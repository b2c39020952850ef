"""The keyboard map: one table for the menus, the help overlay and the text fields' manners.

Inspectors work for hours with a laptop on a desk that is not theirs: every action has a key,
and the keys are the same wherever the focus is. A text field normally keeps Ctrl+Z (its own
undo) and a few others for itself; :class:`ShortcutGuard` hands the window's keys back to the
window, so Ctrl+Z always undoes the last *recorded* change and PgDn always moves to the next item.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QWidget

from inspector.i18n import _


@dataclass(frozen=True)
class Key:
    name: str
    keys: tuple[str, ...]  # QKeySequence portable text, the first one shown in menus


# The station's register panel's key (ui/station_register.py), on the home page: here, so that the
# home page names it without importing the panel's module and its dialogs' widget classes before
# the first paint (issue 18, P1)
PROPOSE_KEY = "Ctrl+Shift+R"

# The window's actions, by name; the texts shown for them live with the actions (main_window).
KEYS: dict[str, Key] = {
    k.name: k
    for k in (
        Key("home", ("Esc",)),
        Key("search", ("Ctrl+F",)),
        Key("refresh", ("F5",)),
        Key("open_folder", ("Ctrl+O",)),
        Key("next_unanswered", ("Ctrl+N",)),
        Key("next_item", ("PgDown",)),
        Key("previous_item", ("PgUp",)),
        Key("undo", ("Ctrl+Z",)),
        Key("redo", ("Ctrl+Shift+Z", "Ctrl+Y")),
        Key("note", ("Ctrl+E",)),
        Key("attach", ("Ctrl+Shift+A",)),
        Key("override", ("F2",)),
        Key("not_applicable", ("F3",)),
        Key("clear_item", ("Ctrl+Shift+Del",)),
        Key("tree", ("F6",)),
        Key("vetoes", ("Ctrl+Shift+V",)),
        Key("self_panel", ("Ctrl+Shift+D",)),
        Key("team", ("Ctrl+T",)),
        Key("finish", ("Ctrl+Return", "Ctrl+Enter")),
        Key("amend", ("Ctrl+Shift+M",)),
        Key("help", ("F1",)),
        Key("flag", ("F4",)),
        Key("new_evaluation", ("Ctrl+Shift+N",)),
        Key("print", ("Ctrl+P",)),
        Key("text_larger", ("Ctrl++", "Ctrl+=")),
        Key("text_smaller", ("Ctrl+-",)),
        Key("text_reset", ("Ctrl+0",)),
        Key("quit", ("Ctrl+Q",)),
    )
}


def sequences(name: str) -> list[QKeySequence]:
    return [QKeySequence(k) for k in KEYS[name].keys]


def shown(name: str) -> str:
    """The keys of an action as the user reads them (native text: Ctrl+Shift+Z, PgDown…). Keys that
    read the same are said once: Ctrl+Return and the keypad's Ctrl+Enter are both "Ctrl+回车"."""
    texts = [QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in KEYS[name].keys]
    return " / ".join(dict.fromkeys(texts))


def keymap() -> list[tuple[str, list[tuple[str, str]]]]:
    """The help overlay: (heading, [(keys, what they do)]) — the same words as the menus."""
    return [
        (
            _("首页"),
            [
                (shown("search"), _("搜索评估")),
                ("↑ ↓  Enter", _("选择并打开评估（从上次停下的小项继续）")),
                ("Ctrl+1 … Ctrl+5", _("按状态筛选：全部、待开始、进行中、已完成、已签署")),
                (shown("refresh"), _("刷新列表")),
                (shown("new_evaluation"), _("新建评估（含本站自查自评）")),
                ("Ctrl+Shift+R", _("鉴定站（所）：对本站登记信息提出更正")),
            ],
        ),
        (
            _("评分"),
            [
                (
                    "0–9",
                    _("问题数；档次（1 为最好的一档）；分组条目：数字切换第几条不符合，0 为全部符合"),
                ),
                ("Y / N", _("是否符合（也可用 1 / 0）")),
                ("Enter", _("保存本项并进入下一项")),
                (shown("next_item") + " / " + shown("previous_item"), _("下一项 / 上一项")),
                (shown("next_unanswered"), _("下一个未评分的小项")),
                (shown("override"), _("人工调整分数（须写明理由）")),
                (shown("not_applicable"), _("不适用（须写明理由）")),
                (shown("clear_item"), _("清除本项的评分")),
                (shown("note"), _("编辑备注（Shift+Enter 换行）")),
                (shown("attach"), _("附加证据（照片或文件）")),
                (shown("undo"), _("撤销（作为一条新更改记录）")),
                (shown("redo"), _("重做")),
                (shown("tree"), _("在目录与输入之间切换")),
                (shown("tree") + _("，再输入编号"), _("在目录中按编号跳到小项（如 F6 后输入 6.3.1）")),
                (shown("search"), _("搜索小项（编号、内容、方法、备注）；Enter 打开第一个")),
                (
                    _("筛选框"),
                    _("只看未评、扣分、待核实、与自评不同或上次失分的小项；PgDn / PgUp 只在其中移动"),
                ),
                (shown("flag"), _("标记或取消“待核实”（只记在本机，不进入评分表）")),
                (shown("vetoes"), _("否决项")),
                (shown("self_panel"), _("显示或隐藏自评对照")),
                (shown("team"), _("评估组分工")),
                (shown("finish"), _("完成：汇总与签署")),
                (shown("print"), _("生成评分表 PDF")),
                (shown("home"), _("返回（首页）")),
            ],
        ),
        (
            _("汇总与签署"),
            [
                ("Tab / Enter", _("选择并跳转到未评分的小项")),
                (shown("finish"), _("进入签署")),
                (shown("home"), _("返回上一页")),
                (shown("amend"), _("修订已签署的评估")),
            ],
        ),
        (
            _("中心"),
            [
                ("Alt+1 … Alt+6", _("我的评估、机构登记、督导员名册、督导计划、结果汇总、统计")),
                ("F5", _("重新读取当前页面")),
                ("Enter", _("结果汇总：打开所选机构的评估")),
            ],
        ),
        (
            _("其他"),
            [
                (shown("open_folder"), _("打开数据文件夹")),
                (shown("text_larger") + " / " + shown("text_smaller"), _("放大 / 缩小文字（记住设置）")),
                (shown("text_reset"), _("文字恢复默认大小")),
                (shown("help"), _("快捷键一览")),
                (shown("quit"), _("退出")),
            ],
        ),
    ]


class ShortcutGuard(QObject):
    """Lets the window's shortcuts through text fields, which would otherwise claim some of them.

    Watching a text field, it refuses the ``ShortcutOverride`` event for one of the window's
    keys, so the shortcut fires instead of the field's own binding (a line edit's Ctrl+Z, a
    spin box's PgUp). Installed on the text fields only: a filter on the whole application
    would run Python for every event of every widget.
    """

    def __init__(self) -> None:
        super().__init__()
        self.reserved = {QKeySequence(k) for key in KEYS.values() for k in key.keys}

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride:
            assert isinstance(event, QKeyEvent)
            if QKeySequence(event.keyCombination()) in self.reserved:
                event.ignore()
                return True
        return False


_guard: ShortcutGuard | None = None


def guard_text_fields(root: QWidget) -> None:
    """Watch every text field in ``root`` (and ``root`` itself) with the one guard."""
    # the text widgets' types named here, not by the module: PySide6 builds a type (and its
    # enums) when a module first names it, and the window's first paint needs none of these
    # (the window guards its fields once it has painted: MainWindow.start; issue 18, P1)
    from PySide6.QtWidgets import QAbstractSpinBox, QLineEdit, QPlainTextEdit, QTextEdit

    global _guard
    if _guard is None:
        _guard = ShortcutGuard()
    text_inputs = (QLineEdit, QAbstractSpinBox, QPlainTextEdit, QTextEdit)
    for widget in (root, *root.findChildren(QWidget)):
        if isinstance(widget, text_inputs):
            widget.installEventFilter(_guard)
