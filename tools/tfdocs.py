#!/usr/bin/env python3
"""Write a Terraform module's inputs and outputs tables into its README, as terraform-docs does.

    python3 tools/tfdocs.py README.md examples/*/README.md          # rewrite in place
    python3 tools/tfdocs.py --check README.md examples/*/README.md  # exit 1 when one is stale

Each Markdown file documents the module in its own directory (its *.tf files), unless
--module-dir names another (then only one file may be given). The tables go between the
markers <!-- BEGIN_TF_DOCS --> and <!-- END_TF_DOCS -->, which the file must already hold.

What it writes is the Inputs and Outputs sections of terraform-docs (v0.22 and later)
`markdown table` with its default settings (anchor, escape, html, required, type, default;
sorted by name; output values off), inside the same markers, so that

    terraform-docs markdown table --show inputs --show outputs --output-file README.md DIR

writes the same text into the file (add --indent 3 where the sections are `###` headings):
    - headings `## Inputs` / `## Outputs` (level: --indent, else that of the first heading
      already between the markers, else 2, terraform-docs' default), "No inputs." when empty;
    - columns Name | Description | Type | Default | Required, and Name | Description;
    - the Name cell `<a name="input_x_y"></a> [x\\_y](#input\\_x\\_y)` (output_ for outputs);
    - a description as terraform-docs sanitizes it for a table: lines joined with <br/>,
      ``` blocks as <pre>, | and _ escaped outside code, "n/a" when empty, and the comment
      lines just above the block when the description is missing; a block with a comment
      holding `terraform-docs-ignore` is left out;
    - the type as written in the source (a quoted legacy type as its string; inferred from
      the default, else `any`, when missing); the default as terraform-docs prints it, the
      value as indented JSON (keys sorted) in backticks, or in <pre> when it spans lines;
      "n/a" and Required "yes" when there is no default.
With --compact-types (not a terraform-docs setting), a type written over several lines, such as
an object type, is shown on one line with its attributes elided, `object({...})`: the
input's description says where its keys are documented.
One deliberate difference: a `|` inside inline code or a <pre> block is written `\\|`.
terraform-docs leaves it bare there (terraform-docs issue #592), which ends the table cell
on GitHub and breaks the row; elsewhere the bytes are the same. Two approximations: the
URLs whose escapes terraform-docs takes back are found with a simpler pattern than its
xurls, and numbers print as Go prints a float64.

Not generated: terraform-docs' Header, Requirements, Providers, Modules and Resources
sections, the output values, and other formats. A description with `<word>` outside code is
passed on as terraform-docs passes it (GitHub drops it as an unknown HTML tag), with a
warning on stderr: put such placeholders in backticks.

Standard library only. It reads the subset of HCL these files use: top-level blocks whose
`variable` and `output` attributes are literals, heredocs or type expressions; *.tf.json is
not read.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"
DEFAULT_INDENT = 2  # terraform-docs' settings.indent

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_HEADING = re.compile(r"^(#{1,6})[ \t]", re.MULTILINE)
_BARE_TAG = re.compile(r"<([A-Za-z][^<>\s]*)>")
# Tags GitHub keeps, written on purpose; any other <word> is sanitized away.
_KEPT_TAG = re.compile(
    r"(a|b|br|code|del|details|em|i|img|kbd|li|ol|p|pre|s|strong|sub|summary|sup|t[dhr]|ul)/?",
    re.IGNORECASE,
)

_MISSING = object()  # no default attribute: the input is required


class HclError(ValueError):
    """The file holds something this reader does not understand."""


class ToolError(Exception):
    """A file or module that cannot be read or written: one line, naming it."""


@dataclass(frozen=True)
class Variable:
    name: str
    description: str
    type: str
    default: Any = _MISSING  # the default's value (None for null); _MISSING when required
    file: str = ""
    line: int = 0

    @property
    def required(self) -> bool:
        return self.default is _MISSING


@dataclass(frozen=True)
class Output:
    name: str
    description: str
    file: str = ""
    line: int = 0


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


@dataclass(frozen=True)
class _Block:
    label: str
    attributes: dict[str, str]  # attribute name -> HCL source of its expression
    line: int  # 1-based line of the block's keyword
    comment: str  # the comment lines just above it, joined with spaces (terraform-docs)


def _comment_above(lines: list[str], line: int) -> str:
    """terraform-docs' loadComments: the run of `#`/`//` lines ending just above `line`."""
    found: list[str] = []
    for text in lines[: line - 1]:
        if text.startswith(("#", "//")):
            found.append(text.strip().removeprefix("#").removeprefix("//").strip())
        else:
            found = []
    return " ".join(found)


def _blocks(text: str, block_type: str) -> list[_Block]:
    """Top-level blocks of `block_type` (one label, quoted or bare)."""
    scanner = _Scanner(text)
    lines = text.split("\n")
    found: list[_Block] = []
    i = scanner.skip_space(0)
    while i < scanner.n:
        ident = _IDENT.match(text, i)
        if not ident:
            raise HclError(f"unexpected {text[i : i + 20]!r} at top level")
        start = i
        i = scanner.skip_space(ident.end())
        labels: list[str] = []
        while i < scanner.n and text[i] != "{":
            if text[i] == '"':
                end = scanner.skip_string(i)
                labels.append(_literal_string(text[i:end]))
            elif label := _IDENT.match(text, i):
                end = label.end()
                labels.append(label.group())
            else:
                break
            i = scanner.skip_space(end)
        if i >= scanner.n or text[i] != "{":
            raise HclError(f"expected a block after {ident.group()!r}")
        end = scanner.skip_braces(i)
        if ident.group() == block_type:
            if len(labels) != 1:
                raise HclError(f"{block_type} block needs one label")
            line = text.count("\n", 0, start) + 1
            found.append(
                _Block(
                    label=labels[0],
                    attributes=_attributes(text[i + 1 : end - 1]),
                    line=line,
                    comment=_comment_above(lines, line),
                )
            )
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


def _unescape(body: str, *, backslashes: bool) -> str:
    """A template literal's text: `$${`/`%%{` as `${`/`%{`, backslash escapes when quoted."""
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if backslashes and c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            width = {"u": 4, "U": 8}.get(nxt)
            if width and i + 2 + width <= len(body):
                out.append(chr(int(body[i + 2 : i + 2 + width], 16)))
                i += 2 + width
                continue
            raise HclError(f"unknown escape \\{nxt} in a string")
        if body.startswith(("$${", "%%{"), i):
            out.append(body[i + 1 : i + 3])
            i += 3
            continue
        if body.startswith(("${", "%{"), i):
            raise HclError("a template interpolation where a literal string was expected")
        out.append(c)
        i += 1
    return "".join(out)


def _heredoc_value(source: str, match: re.Match[str]) -> str:
    """A heredoc's string: its lines, each with its newline; `<<-` strips common indent."""
    lines = source[match.end() :].split("\n")[:-1]  # drop the closing marker line
    if match.group(1):
        lines = textwrap.dedent("\n".join(lines)).split("\n")
    return _unescape("".join(line + "\n" for line in lines), backslashes=False)


def _literal_string(source: str) -> str:
    """The value of a quoted string literal or a heredoc."""
    source = source.strip()
    heredoc = _HEREDOC.match(source)
    if heredoc:
        return _heredoc_value(source, heredoc)
    if len(source) >= 2 and source[0] == source[-1] == '"':
        return _unescape(source[1:-1], backslashes=True)
    raise HclError(f"expected a string, got {source[:40]!r}")


class _Literal:
    """Evaluates a literal HCL expression (what a variable's default may be) to JSON data."""

    def __init__(self, source: str) -> None:
        self.scanner = _Scanner(source)
        self.text = source

    def parse(self) -> Any:
        value, i = self.value(self.scanner.skip_space(0))
        if self.scanner.skip_space(i) != self.scanner.n:
            raise HclError(f"not a literal value: {self.text[:60]!r}")
        return value

    def value(self, i: int) -> tuple[Any, int]:
        text, scanner = self.text, self.scanner
        heredoc = scanner.heredoc_at(i)
        if heredoc:
            end = scanner.skip_heredoc(heredoc)
            return _heredoc_value(text[i:end], heredoc), end
        c = text[i : i + 1]
        if c == '"':
            end = scanner.skip_string(i)
            return _literal_string(text[i:end]), end
        if c == "[":
            return self.sequence(i + 1, "]")
        if c == "{":
            return self.mapping(i + 1)
        number = _NUMBER.match(text, i)
        if number:
            return float(number.group()), number.end()
        word = _IDENT.match(text, i)
        if word and word.group() in {"true", "false", "null"}:
            return {"true": True, "false": False, "null": None}[word.group()], word.end()
        raise HclError(f"not a literal value: {text[i : i + 40]!r}")

    def sequence(self, i: int, close: str) -> tuple[list[Any], int]:
        items: list[Any] = []
        while True:
            i = self.scanner.skip_space(i)
            if self.text.startswith(close, i):
                return items, i + 1
            item, i = self.value(i)
            items.append(item)
            i = self.scanner.skip_space(i)
            if self.text.startswith(",", i):
                i += 1
            elif not self.text.startswith(close, i):
                raise HclError(f"expected ',' or {close!r} at {self.text[i : i + 20]!r}")

    def mapping(self, i: int) -> tuple[dict[str, Any], int]:
        items: dict[str, Any] = {}
        text, scanner = self.text, self.scanner
        while True:
            i = scanner.skip_space(i)
            if text.startswith("}", i):
                return items, i + 1
            if text.startswith('"', i):
                end = scanner.skip_string(i)
                key = _literal_string(text[i:end])
            elif word := _IDENT.match(text, i):
                end, key = word.end(), word.group()
            else:
                raise HclError(f"expected an object key at {text[i : i + 20]!r}")
            i = scanner.skip_space(end)
            if text[i : i + 1] not in {"=", ":"}:
                raise HclError(f"expected '=' after {key!r}")
            items[key], i = self.value(scanner.skip_space(i + 1))
            i = scanner.skip_space(i, newlines=False)
            if text.startswith(",", i):
                i += 1


def _type_source(source: str) -> str:
    """terraform-config-inspect keeps a type as written, a quoted legacy type as its string."""
    if source.startswith('"'):
        return _literal_string(source)
    return source


def _inferred_type(default: Any) -> str:
    """terraform-docs' TypeOf for a variable without a type."""
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, str):
        return "string"
    if isinstance(default, float):
        return "number"
    if isinstance(default, list):
        return "list"
    if isinstance(default, dict):
        return "map"
    return "any"


def _tf_files(module_dir: Path) -> list[Path]:
    """The module's *.tf files in terraform-config-inspect's order: primaries, then overrides."""
    if not module_dir.is_dir():
        raise ToolError(f"{module_dir}: no such module directory")
    files = sorted(
        path
        for path in module_dir.glob("*.tf")
        if path.is_file() and not path.name.startswith((".", "#"))
    )
    if not files:
        raise ToolError(f"{module_dir}: no *.tf files")
    return sorted(files, key=lambda p: p.stem == "override" or p.stem.endswith("_override"))


def _described(block: _Block) -> str | None:
    """The block's description (the comment above it when missing); None when ignored."""
    if "terraform-docs-ignore" in block.comment:
        return None
    described = block.attributes.get("description")
    text = _literal_string(described) if described is not None else ""
    return text.replace("\r\n", "\n") or block.comment


def read_module(module_dir: Path) -> tuple[list[Variable], list[Output]]:
    """Every `variable` and `output` block of the module (a later file's same name wins)."""
    variables: dict[str, Variable] = {}
    outputs: dict[str, Output] = {}
    for path in _tf_files(module_dir):
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ToolError(f"{path}: cannot read it ({error.strerror or error})") from None
        try:
            for block in _blocks(text, "variable"):
                description = _described(block)
                if description is None:
                    continue
                source = block.attributes.get("default")
                default = _MISSING if source is None else _Literal(source).parse()
                type_source = block.attributes.get("type")
                variables[block.label] = Variable(
                    name=block.label,
                    description=description,
                    type=(
                        _type_source(type_source)
                        if type_source is not None
                        else _inferred_type(None if default is _MISSING else default)
                    ),
                    default=default,
                    file=path.name,
                    line=block.line,
                )
            for block in _blocks(text, "output"):
                description = _described(block)
                if description is not None:
                    outputs[block.label] = Output(
                        block.label, description, file=path.name, line=block.line
                    )
        except HclError as error:
            raise HclError(f"{path}: {error}") from None
    return list(variables.values()), list(outputs.values())


# --------------------------------------------------------------------------- terraform-docs
# Ports of terraform-docs' template/sanitizer.go and format/util.go (v0.24.0), where the
# exact bytes are decided. Go's RE2 classes \s, \S and \w are ASCII: spelt out below.

_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
_GO_SPACE += "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"  # Go's unicode.IsSpace
_PLACEHOLDER = "‡‡‡DONTESCAPE‡‡‡".encode()
_MULTILINE = re.compile(r"([^\t\n\f\r ]*)(\r?\n)([\t\n\f\r ]*)([0-9A-Za-z_]+)")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\t\n\f\r <>\"`]+")
_Segment = Callable[[str, bool, bool], str]


def _process_segments(text: str, fence: str, normal: _Segment, code: _Segment) -> str:
    """processSegments: alternate plain and code segments split on `fence`.

    As in Go, an empty segment is dropped without switching between plain and code."""
    in_code = text.startswith(fence)
    segments = text.split(fence)
    out: list[str] = []
    for index, segment in enumerate(segments):
        if not segment:
            continue
        first = index == 0 or not segments[index - 1].strip(_GO_SPACE)
        last = index == len(segments) - 1 or not segments[index + 1].strip(_GO_SPACE)
        out.append(code(segment, first, last) if in_code else normal(segment, first, last))
        in_code = not in_code
    return "".join(out)


def _escape_underscores(line: str) -> str:
    """EscapeCharacters' escape("_") on one line, byte for byte as in Go.

    It keeps `_` that opens a line (a list marker) or wraps a word (`_emphasis_`), and
    rewrites matches at offsets taken before earlier rewrites, as the Go code does."""
    data = line.encode()
    cases = (
        (re.compile(rb"^([\t\n\f\r ]*)(_+)([\t\n\f\r ]+)(.*)", re.DOTALL), (2,)),
        (
            re.compile(
                rb"([\t\n\f\r ]+)(_+)([^\t\n\f\r _])(.*)([^\t\n\f\r _])(_+)([\t\n\f\r ]+)",
                re.DOTALL,
            ),
            (6, 2),
        ),
    )
    for pattern, groups in cases:
        matches = list(pattern.finditer(data))
        for match in matches:
            for group in groups:
                start, end = match.span(group)
                kept = match.group(group).replace(b"_", _PLACEHOLDER)
                data = data[:start] + kept + data[end:]
    data = data.replace(b"_", b"\\_").replace(_PLACEHOLDER, b"_")
    return data.decode()


def _code_span(segment: str, _first: bool, _last: bool) -> str:
    # terraform-docs leaves | bare here; GitHub then ends the cell (terraform-docs#592).
    return "`" + segment.replace("|", "\\|") + "`"


def _escape_characters(text: str) -> str:
    """EscapeCharacters(s, escape=true, escapePipe=true)."""
    text = _process_segments(
        text, "`", lambda segment, _f, _l: segment.replace("|", "\\|"), _code_span
    )
    return _process_segments(
        text,
        "`",
        lambda segment, _f, _l: "\n".join(map(_escape_underscores, segment.split("\n"))),
        lambda segment, _f, _l: "`" + segment + "`",
    )


def _convert_multiline(text: str) -> str:
    """ConvertMultiLineText(s, isTable=true, isHeader=false, showHTML=true)."""
    text = text.strip(_GO_SPACE)
    text = _MULTILINE.sub(r"\1  \2\3\4", text)
    text = text.replace("    \n", "  \n").replace("  \n\n", "\n\n").replace("\n  \n", "\n\n")
    return text.replace("  \n", "<br/>").replace("\n", "<br/>")


def _normalize_urls(text: str) -> str:
    """NormalizeURLs: the escapes inside a URL taken back."""
    return _URL.sub(lambda match: match.group().replace("\\", ""), text)


def _pre(segment: str, _first: bool, _last: bool) -> str:
    body = segment.strip(_GO_SPACE).replace("\n", "<br/>").replace("\r", "")
    return "<pre>" + body.replace("|", "\\|") + "</pre>"  # | escaped: see _code_span


def sanitize_table_cell(text: str) -> str:
    """SanitizeMarkdownTable(s, escape=true, html=true): text for one table cell."""
    if not text:
        return "n/a"
    return _process_segments(
        text,
        "```",
        lambda segment, _f, _l: _normalize_urls(_convert_multiline(_escape_characters(segment))),
        _pre,
    )


def _fenced(code: str) -> str:
    """PrintFencedCodeBlock(code, "")."""
    return f"\n\n```\n{code}\n```\n" if "\n" in code else f"`{code}`"


def _go_number(value: float) -> str:
    """A float64 as Go's encoding/json writes it: shortest digits, plain between 1e-6 and
    1e21, else as 1e+21 or 1.5e-7."""
    if not math.isfinite(value):
        raise HclError(f"unsupported number {value}")
    if value == 0:
        return "0"
    number = Decimal(repr(value)).normalize()
    if 1e-6 <= abs(value) < 1e21:
        return format(number, "f")
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits))
    mantissa = ("-" if sign else "") + text[0] + ("." + text[1:] if len(text) > 1 else "")
    power = exponent + len(text) - 1
    return f"{mantissa}e+{power:02d}" if power >= 0 else f"{mantissa}e-{-power}"


def _go_json(value: Any, indent: str = "") -> str:
    """encoding/json with SetIndent("", "  ") and SetEscapeHTML(false); map keys sorted."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _go_number(value)
    if isinstance(value, str):
        encoded = json.dumps(value, ensure_ascii=False)
        return encoded.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    inner = indent + "  "
    if isinstance(value, list):
        if not value:
            return "[]"
        items = [inner + _go_json(item, inner) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        keys = sorted(value, key=lambda key: key.encode())
        items = [inner + _go_json(key) + ": " + _go_json(value[key], inner) for key in keys]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    raise TypeError(type(value))


def _default_cell(variable: Variable) -> str:
    """The Default cell: `value .GetValue | sanitizeMarkdownTbl`."""
    if variable.required:
        return "n/a"
    return sanitize_table_cell(_fenced(_go_json(variable.default)))


def _anchor(prefix: str, name: str) -> str:
    """CreateAnchorMarkdown with anchor and escape on."""
    escaped, target = name.replace("_", "\\_"), f"{prefix}_{name}".replace("_", "\\_")
    return f'<a name="{prefix}_{name}"></a> [{escaped}](#{target})'


def _sanitize_document(markdown: str) -> str:
    """format/util.go sanitize(): trailing blanks and extra blank lines removed."""
    markdown = re.sub(r" {2}(\r?\n)", "‡‡‡DOUBLESPACES‡‡‡\\1", markdown)
    markdown = re.sub(r" +(\r?\n)", r"\1", markdown)
    markdown = re.sub(r" +\Z", "", markdown)  # Go's $ without (?m): the end of the text
    markdown = re.sub(r"‡‡‡DOUBLESPACES‡‡‡(\r?\n)", "  \\1", markdown)
    markdown = re.sub(r"(\r?\n)  (\r?\n)", r"\1", markdown)
    markdown = re.sub(r"(\r?\n){3,}", r"\1\1", markdown)
    return re.sub(r"(\r?\n){2,}\Z", "", markdown)


def compact_type(source: str) -> str:
    """A type written over several lines on one, its braces' contents elided:
    `object({...})`, `list(object({...}))`; a one-line type as it is."""
    if "\n" not in source:
        return source
    first, last = source.find("{"), source.rfind("}")
    if first < 0 or last < first:
        return " ".join(source.split())
    return source[: first + 1] + "..." + source[last:]


def render(
    variables: list[Variable],
    outputs: list[Output],
    *,
    sort: str = "name",
    indent: int = DEFAULT_INDENT,
    compact_types: bool = False,
) -> str:
    """The Inputs and Outputs sections, as terraform-docs' markdown table writes them."""
    if sort == "name":
        variables = sorted(variables, key=lambda v: v.name.encode())
        outputs = sorted(outputs, key=lambda o: o.name.encode())
    else:  # terraform-docs --sort=false: by file, then line
        variables = sorted(variables, key=lambda v: (v.file, v.line))
        outputs = sorted(outputs, key=lambda o: (o.file, o.line))
    heading = "#" * (indent if 1 <= indent <= 5 else DEFAULT_INDENT)
    lines = [f"{heading} Inputs", ""]
    if not variables:
        lines.append("No inputs.")
    else:
        lines += [
            "| Name | Description | Type | Default | Required |",
            "| ---- | ----------- | ---- | ------- | :------: |",
        ]
        for v in variables:
            type_text = compact_type(v.type) if compact_types else v.type
            lines.append(
                f"| {_anchor('input', v.name)} | {sanitize_table_cell(v.description)} "
                f"| {sanitize_table_cell(_fenced(type_text))} | {_default_cell(v)} "
                f"| {'yes' if v.required else 'no'} |"
            )
    lines += ["", f"{heading} Outputs", ""]
    if not outputs:
        lines.append("No outputs.")
    else:
        lines += ["| Name | Description |", "| ---- | ----------- |"]
        for o in outputs:
            lines.append(f"| {_anchor('output', o.name)} | {sanitize_table_cell(o.description)} |")
    return _sanitize_document("\n".join(lines))


def bare_tags(variables: list[Variable], outputs: list[Output]) -> list[str]:
    """Descriptions holding `<word>` outside code, which GitHub takes for an HTML tag."""
    found = []
    for kind, name, description in [("input", v.name, v.description) for v in variables] + [
        ("output", o.name, o.description) for o in outputs
    ]:
        plain = description.split("`")[::2]
        tags = sorted(
            {
                f"<{tag}>"
                for part in plain
                for tag in _BARE_TAG.findall(part)
                if not _KEPT_TAG.fullmatch(tag)
            }
        )
        if tags:
            found.append(f"{kind} {name}: {', '.join(tags)}")
    return found


# --------------------------------------------------------------------------- files


def _region(markdown: str, name: Path) -> tuple[int, int]:
    begin = markdown.find(BEGIN)
    end = markdown.find(END)
    if begin < 0 or end < 0 or end < begin:
        raise ValueError(f"{name}: needs the markers {BEGIN} and then {END}")
    return begin, end


def heading_level(markdown: str, name: Path = Path("the file")) -> int | None:
    """The level of the first heading between the markers, if any."""
    begin, end = _region(markdown, name)
    match = _HEADING.search(markdown, begin, end)
    return len(match.group(1)) if match else None


def update(markdown: str, tables: str, name: Path = Path("the file")) -> str:
    """`markdown` with the text between the markers replaced by `tables` (terraform-docs'
    inject mode and output template)."""
    begin, end = _region(markdown, name)
    return markdown[: begin + len(BEGIN)] + "\n" + tables + "\n" + markdown[end:]


def _process(
    markdown_path: Path,
    module_dir: Path,
    *,
    check: bool,
    sort: str,
    indent: int | None,
    compact_types: bool = False,
) -> bool:
    """Update or check one file; True when it is (now) current."""
    try:
        current = markdown_path.read_text(encoding="utf-8")
    except OSError as error:
        raise ToolError(f"{markdown_path}: cannot read it ({error.strerror or error})") from None
    level = indent or heading_level(current, markdown_path) or DEFAULT_INDENT
    variables, outputs = read_module(module_dir)
    for warning in bare_tags(variables, outputs):
        print(
            f"tfdocs: warning: {module_dir}: {warning} would be read as HTML; put it in backticks",
            file=sys.stderr,
        )
    tables = render(variables, outputs, sort=sort, indent=level, compact_types=compact_types)
    wanted = update(current, tables, markdown_path)
    if wanted == current:
        return True
    if check:
        print(
            f"tfdocs: {markdown_path} is out of date; run: make docs "
            f"(python3 tools/tfdocs.py {markdown_path})",
            file=sys.stderr,
        )
        return False
    try:
        markdown_path.write_text(wanted, encoding="utf-8")
    except OSError as error:
        raise ToolError(f"{markdown_path}: cannot write it ({error.strerror or error})") from None
    print(f"tfdocs: updated {markdown_path}")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write (or check) a Terraform module's inputs/outputs tables in its "
        "README, between <!-- BEGIN_TF_DOCS --> and <!-- END_TF_DOCS -->, in terraform-docs' "
        "markdown table format. Exit status: 0 current (or updated); 1 --check found a "
        "stale file; 2 a file or module could not be read.",
    )
    parser.add_argument(
        "markdown",
        type=Path,
        nargs="+",
        help="Markdown files holding the markers; each documents the module in its directory",
    )
    parser.add_argument(
        "--module-dir",
        type=Path,
        help="directory with the module's *.tf files (default: each file's own directory; "
        "only with one file)",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a file is stale")
    parser.add_argument(
        "--sort",
        choices=("name", "file"),
        default="name",
        help="order of the rows: by name (default, as terraform-docs) or as in the .tf files "
        "(terraform-docs --sort=false)",
    )
    parser.add_argument(
        "--indent",
        type=int,
        choices=range(1, 6),
        metavar="{1..5}",
        help="heading level of the sections (terraform-docs --indent); default: that of the "
        "first heading already between the markers, else 2",
    )
    parser.add_argument(
        "--compact-types",
        action="store_true",
        help="show a type written over several lines (an object type) on one, its attributes "
        "elided: object({...}) (not a terraform-docs setting)",
    )
    args = parser.parse_args(argv)
    if args.module_dir is not None and len(args.markdown) > 1:
        parser.error("--module-dir takes one Markdown file")

    status = 0
    for markdown_path in args.markdown:
        module_dir = args.module_dir if args.module_dir is not None else markdown_path.parent
        try:
            current = _process(
                markdown_path,
                module_dir,
                check=args.check,
                sort=args.sort,
                indent=args.indent,
                compact_types=args.compact_types,
            )
        except (ToolError, ValueError) as error:  # HclError is a ValueError
            print(f"tfdocs: {error}", file=sys.stderr)
            status = 2
            continue
        if not current:
            status = max(status, 1)
    return status


if __name__ == "__main__":
    sys.exit(main())
