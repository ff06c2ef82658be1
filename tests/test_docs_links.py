"""Every relative link in the project's Markdown resolves: the file or directory exists, and
an `#anchor` names a heading (or an `<a name>`) of the file it points into.

Anchors follow GitHub's rule for headings: lower case, punctuation other than `-` and `_`
dropped, each space a `-`, and a repeated heading suffixed `-1`, `-2`, ... Links inside code
(fenced blocks, inline backticks) are not links and are skipped."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = sorted(
    [
        ROOT / "README.md",
        ROOT / "CHANGELOG.md",
        ROOT / "CONTRIBUTING.md",
        *(ROOT / "docs").glob("*.md"),
        *(ROOT / "examples").glob("*/README.md"),
    ]
)

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"(`+).+?\1", re.DOTALL)
# [text](target) or [text](target "title"); images (![...]) alike.
LINK = re.compile(r"\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
NAMED_ANCHOR = re.compile(r"<a\s+(?:name|id)=\"([^\"]+)\"")
# CommonMark: a backslash before ASCII punctuation escapes it, in link destinations too.
BACKSLASH_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _prose(text: str) -> str:
    """The text without code blocks and inline code, where brackets are not links."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def github_slug(heading: str) -> str:
    text = re.sub(r"<[^>]+>", "", heading)  # inline HTML
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link keeps its text
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = path.read_text("utf-8")
    found: set[str] = set(NAMED_ANCHOR.findall(text))
    seen: dict[str, int] = {}
    for heading in HEADING.findall(FENCE.sub("", text)):
        slug = github_slug(heading)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def broken_links(path: Path, root: Path = ROOT) -> list[str]:
    problems = []
    for raw in LINK.findall(_prose(path.read_text("utf-8"))):
        target = BACKSLASH_ESCAPE.sub(r"\1", raw)  # CommonMark: `\_` in a destination is `_`
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:, ...
            continue
        file_part, _, anchor = target.partition("#")
        destination = (path.parent / file_part).resolve() if file_part else path
        where = f"{path.relative_to(root)}: ({target})"
        if not destination.exists():
            problems.append(f"{where}: no such file or directory")
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            problems.append(f"{where}: no heading or anchor #{anchor} in {destination.name}")
    return problems


def test_slug_follows_github() -> None:
    assert github_slug("Invoke permission scope and the two-apply flow") == (
        "invoke-permission-scope-and-the-two-apply-flow"
    )
    assert github_slug("`connect-register`, `connect-unregister`") == (
        "connect-register-connect-unregister"
    )
    assert github_slug("Failure queue and alarms") == "failure-queue-and-alarms"


def test_a_broken_link_is_found(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other\n\n## Part two\n", "utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n[ok](other.md#part-two) [ok](#page) `[code](missing.md)`\n"
        "[gone](missing.md) [bad](other.md#part-three) [self](#nowhere)\n"
        "[escaped](other.md#part\\-two)\n",
        "utf-8",
    )
    problems = broken_links(page, root=tmp_path)
    assert len(problems) == 3, problems
    assert any("missing.md" in p for p in problems)
    assert any("#part-three" in p for p in problems)
    assert any("#nowhere" in p for p in problems)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(path: Path) -> None:
    assert not broken_links(path), "\n".join(broken_links(path))
