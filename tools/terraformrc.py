"""Write the Terraform CLI config that every test run uses, and print its path.

When the offline provider mirror /opt/tf-plugins exists, hashicorp providers come from it;
otherwise the file is empty and Terraform uses the public registry as usual. Either way the
user's own ~/.terraformrc is not consulted by the tests.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIRROR = Path("/opt/tf-plugins")
CONFIG_PATH = ROOT / ".build" / "terraformrc"

_MIRROR_CONFIG = """provider_installation {
  filesystem_mirror {
    path    = "%s"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
"""


def write_config(mirror: Path = MIRROR, destination: Path = CONFIG_PATH) -> Path:
    destination.parent.mkdir(parents=True, exist_ok=True)
    text = _MIRROR_CONFIG % mirror if mirror.is_dir() else "# public registry\n"
    destination.write_text(text, encoding="utf-8")
    return destination


if __name__ == "__main__":
    sys.stdout.write(f"{write_config()}\n")
