"""Make resources/icons/inspector-cli.ico: the window's icon with a console badge (">_"), so that
the command-line executable is told from the window's at a glance (issue 22). Run once when the
icon changes: ``.venv/bin/python installer/make_cli_icon.py``."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"


def main() -> None:
    base = Image.open(ICONS / "inspector.png").convert("RGBA").resize((256, 256))
    badge = Image.new("RGBA", base.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(badge)
    white = (240, 240, 240, 255)
    d.rounded_rectangle((120, 136, 252, 252), radius=18, fill=(32, 32, 32, 255), outline=white, width=6)
    d.line([(146, 166), (176, 194), (146, 222)], fill=white, width=12, joint="curve")  # ">"
    d.line([(188, 224), (228, 224)], fill=white, width=12)  # "_"
    icon = Image.alpha_composite(base, badge)
    sizes = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]
    icon.save(ICONS / "inspector-cli.ico", sizes=sizes)


if __name__ == "__main__":
    main()
