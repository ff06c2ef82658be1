#!/usr/bin/env python3
"""Write the module's inputs and outputs as Markdown tables into a Markdown file.

The tables go between the markers <!-- BEGIN_TF_DOCS --> and <!-- END_TF_DOCS -->, which
must already be in the file. Inputs come from variables.tf (name, description, type,
default, required), outputs from outputs.tf (name, description).

    python3 scripts/tfdocs.py README.md          # rewrite the file in place
    python3 scripts/tfdocs.py --check README.md  # exit 1 when the file is out of date

Standard library only. It reads the subset of HCL used in these files: top-level
`variable`/`output` blocks whose attributes are literals, heredocs or type expressions.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"
MODULE_DIR = Path(__file__).resolve().parent.parent

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


class HclError(ValueError):
    """The file holds something this reader does not understand."""


@dataclass(frozen=True)
class Variable:
    name: str
    description: str
    type: str
    default: str | None  # HCL source of the default; None when the input is required


@dataclass(frozen=True)
class Output:
    name: str
    description: str
    sensitive: bool


# --------------------------------------------------------------------------- scanning


class _Scanner:
    """Walks HCL source, skipping strings, heredocs and comments as units."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)

    def skip_space(self, i: int, *, newlines: bool = True) -> int:
        """Skip blanks and comments (and newlines unless told not to)."""
        text = self.text
        while i < self.n:
            c = text[i]
            if c in " \t\r" or (newlines and c == "\n"):
                i += 1
            elif c == "#" or text.startswith("//", i):
                i = self._line_end(i)
            elif text.startswith("/*", i):
                end = text.find("*/", i + 2)
                if end < 0:
                    raise HclError("unterminated /* comment")
                i = end + 2
            else:
                break
        return i

    def _line_end(self, i: int) -> int:
        end = self.text.find("\n", i)
        return self.n if end < 0 else end

    def skip_string(self, i: int) -> int:
        """`i` is at an opening quote; return the index after the closing one."""
        text = self.text
        i += 1
        while i < self.n:
            c = text[i]
            if c == "\\":
                i += 2
            elif c == '"':
                return i + 1
            elif text.startswith("$${", i) or text.startswith("%%{", i):
                i += 3
            elif text.startswith("${", i) or text.startswith("%{", i):
                i = self.skip_braces(i + 1)
            elif c == "\n":
                raise HclError("newline in a quoted string")
            else:
                i += 1
        raise HclError("unterminated string")

    def heredoc_at(self, i: int) -> re.Match[str] | None:
        return _HEREDOC.match(self.text, i)

    def skip_heredoc(self, match: re.Match[str]) -> int:
        """Return the index just after the heredoc's closing marker line."""
        marker = match.group(2)
        i = match.end()
        while i <= self.n:
            end = self._line_end(i)
            if self.text[i:end].strip() == marker:
                return end
            if end >= self.n:
                break
            i = end + 1
        raise HclError(f"unterminated heredoc {marker}")

    def skip_braces(self, i: int) -> int:
        """`i` is at an opening bracket; return the index after its match."""
        pairs = {"{": "}", "[": "]", "(": ")"}
        stack = [pairs[self.text[i]]]
        i += 1
        while i < self.n:
            i = self.skip_space(i)
            if i >= self.n:
                break
            c = self.text[i]
            heredoc = self.heredoc_at(i)
            if heredoc:
                i = self.skip_heredoc(heredoc)
            elif c == '"':
                i = self.skip_string(i)
            elif c in pairs:
                stack.append(pairs[c])
                i += 1
            elif c in ")]}":
                if c != stack.pop():
                    raise HclError(f"mismatched {c!r}")
                i += 1
                if not stack:
                    return i
            else:
                i += 1
        raise HclError("unbalanced brackets")

    def expression_end(self, i: int) -> int:
        """Return the end of the expression starting at `i` (a newline outside brackets)."""
        text = self.text
        while i < self.n:
            c = text[i]
            heredoc = self.heredoc_at(i)
            if heredoc:
                i = self.skip_heredoc(heredoc)
            elif c == '"':
                i = self.skip_string(i)
            elif c in "{[(":
                i = self.skip_braces(i)
            elif c in {"\n", "#"} or text.startswith(("//", "/*"), i):
                return i
            else:
                i += 1
        return i


# --------------------------------------------------------------------------- parsing


def _blocks(text: str, block_type: str) -> list[tuple[str, dict[str, str]]]:
    """Top-level blocks of `block_type` as (label, {attribute: HCL source})."""
    scanner = _Scanner(text)
    found: list[tuple[str, dict[str, str]]] = []
    i = scanner.skip_space(0)
    while i < scanner.n:
        ident = _IDENT.match(text, i)
        if not ident:
            raise HclError(f"unexpected {text[i : i + 20]!r} at top level")
        i = scanner.skip_space(ident.end())
        labels: list[str] = []
        while i < scanner.n and text[i] == '"':
            end = scanner.skip_string(i)
            labels.append(_string_value(text[i:end]))
            i = scanner.skip_space(end)
        if i >= scanner.n or text[i] != "{":
            raise HclError(f"expected a block after {ident.group()!r}")
        end = scanner.skip_braces(i)
        if ident.group() == block_type:
            if len(labels) != 1:
                raise HclError(f"{block_type} block needs one label")
            found.append((labels[0], _attributes(text[i + 1 : end - 1])))
        i = scanner.skip_space(end)
    return found


def _attributes(body: str) -> dict[str, str]:
    """The attributes directly in a block body; nested blocks are skipped."""
    scanner = _Scanner(body)
    attributes: dict[str, str] = {}
    i = scanner.skip_space(0)
    while i < scanner.n:
        ident = _IDENT.match(body, i)
        if not ident:
            raise HclError(f"unexpected {body[i : i + 20]!r} in a block")
        i = scanner.skip_space(ident.end(), newlines=False)
        if i < scanner.n and body[i] == "=" and not body.startswith("==", i):
            start = scanner.skip_space(i + 1, newlines=False)
            end = scanner.expression_end(start)
            attributes[ident.group()] = body[start:end].strip()
            i = end
        else:  # a nested block such as validation { ... }
            while i < scanner.n and body[i] == '"':
                i = scanner.skip_space(scanner.skip_string(i), newlines=False)
            if i >= scanner.n or body[i] != "{":
                raise HclError(f"expected '=' or a block after {ident.group()!r}")
            i = scanner.skip_braces(i)
        i = scanner.skip_space(i)
    return attributes


def _string_value(source: str) -> str:
    """The value of a quoted string literal or heredoc; other expressions as written."""
    source = source.strip()
    heredoc = _HEREDOC.match(source)
    if heredoc:
        lines = source[heredoc.end() :].splitlines()[:-1]  # drop the closing marker
        content = "\n".join(lines)
        return textwrap.dedent(content) if heredoc.group(1) else content
    if len(source) >= 2 and source[0] == source[-1] == '"':
        out: list[str] = []
        i, body = 0, source[1:-1]
        while i < len(body):
            c = body[i]
            if c == "\\" and i + 1 < len(body):
                nxt = body[i + 1]
                if nxt in _ESCAPES:
                    out.append(_ESCAPES[nxt])
                    i += 2
                    continue
                if nxt == "u" and i + 6 <= len(body):
                    out.append(chr(int(body[i + 2 : i + 6], 16)))
                    i += 6
                    continue
            if body.startswith(("$${", "%%{"), i):
                out.append(body[i + 1 : i + 3])
                i += 3
                continue
            out.append(c)
            i += 1
        return "".join(out)
    return source


def read_variables(path: Path) -> list[Variable]:
    variables = []
    for name, attributes in _blocks(path.read_text(encoding="utf-8"), "variable"):
        variables.append(
            Variable(
                name=name,
                description=_string_value(attributes.get("description", '""')),
                type=attributes.get("type", "any"),
                default=attributes.get("default"),
            )
        )
    return variables


def read_outputs(path: Path) -> list[Output]:
    outputs = []
    for name, attributes in _blocks(path.read_text(encoding="utf-8"), "output"):
        outputs.append(
            Output(
                name=name,
                description=_string_value(attributes.get("description", '""')),
                sensitive=attributes.get("sensitive", "false") == "true",
            )
        )
    return outputs


# --------------------------------------------------------------------------- rendering


def _cell(text: str) -> str:
    """Text for a table cell: one line, pipes escaped."""
    lines = [line.strip() for line in text.strip().splitlines()]
    joined = "<br>".join(line for line in lines if line).replace("|", "\\|")
    # Angle brackets outside code spans would be read as HTML tags (<region>, <name>).
    parts = joined.split("`")
    for index in range(0, len(parts), 2):
        parts[index] = parts[index].replace("<br>", "\0").replace("<", "&lt;").replace(">", "&gt;")
        parts[index] = parts[index].replace("\0", "<br>")
    return "`".join(parts)


def _code(source: str) -> str:
    """HCL source for a table cell: inline code, or <pre> when it spans lines."""
    source = source.strip()
    if "\n" not in source:
        if "`" in source:
            return "<code>" + html.escape(source).replace("|", "&#124;") + "</code>"
        return "`" + source.replace("|", "\\|") + "`"
    first, _, rest = source.partition("\n")
    body = first + "\n" + textwrap.dedent(rest)
    escaped = html.escape(body).replace("|", "&#124;")
    return "<pre>" + "<br>".join(escaped.splitlines()) + "</pre>"


def render(variables: list[Variable], outputs: list[Output], *, sort: str = "name") -> str:
    if sort == "name":
        variables = sorted(variables, key=lambda v: v.name)
        outputs = sorted(outputs, key=lambda o: o.name)
    lines = [
        "### Inputs",
        "",
        "| Name | Description | Type | Default | Required |",
        "|------|-------------|------|---------|:--------:|",
    ]
    for v in variables:
        default = "n/a" if v.default is None else _code(v.default)
        required = "yes" if v.default is None else "no"
        lines.append(
            f'| <a name="input_{v.name}"></a> [{v.name}](#input_{v.name}) '
            f"| {_cell(v.description)} | {_code(v.type)} | {default} | {required} |"
        )
    lines += [
        "",
        "### Outputs",
        "",
        "| Name | Description |",
        "|------|-------------|",
    ]
    for o in outputs:
        description = (_cell(o.description) + (" (sensitive)" if o.sensitive else "")).strip()
        lines.append(
            f'| <a name="output_{o.name}"></a> [{o.name}](#output_{o.name}) | {description} |'
        )
    return "\n".join(lines)


def update(markdown: str, tables: str) -> str:
    """`markdown` with the text between the markers replaced by `tables`."""
    begin = markdown.find(BEGIN)
    end = markdown.find(END)
    if begin < 0 or end < 0 or end < begin:
        raise ValueError(f"the file needs {BEGIN} followed by {END}")
    return markdown[: begin + len(BEGIN)] + "\n" + tables + "\n" + markdown[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("markdown", type=Path, help="Markdown file holding the markers")
    parser.add_argument(
        "--module-dir",
        type=Path,
        default=MODULE_DIR,
        help="directory with variables.tf and outputs.tf (default: the repository root)",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    parser.add_argument(
        "--sort",
        choices=("name", "file"),
        default="name",
        help="order of the rows: by name (default) or as in the .tf files",
    )
    args = parser.parse_args(argv)

    try:
        tables = render(
            read_variables(args.module_dir / "variables.tf"),
            read_outputs(args.module_dir / "outputs.tf"),
            sort=args.sort,
        )
        current = args.markdown.read_text(encoding="utf-8")
        wanted = update(current, tables)
    except (OSError, ValueError) as error:
        print(f"tfdocs: {error}", file=sys.stderr)
        return 2

    if args.check:
        if wanted != current:
            print(
                f"tfdocs: {args.markdown} is out of date; run: python3 scripts/tfdocs.py "
                f"{args.markdown}",
                file=sys.stderr,
            )
            return 1
        return 0
    if wanted != current:
        args.markdown.write_text(wanted, encoding="utf-8")
        print(f"tfdocs: updated {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
