"""Election packages: the documented folder format (docs/election-package.md).

`read_package` and `validate_package` read a folder; `write_package` writes one.
"""

from pollguard.core.package.reader import package_digest, read_package, validate_package
from pollguard.core.package.writer import format_number, write_package

__all__ = ["format_number", "package_digest", "read_package", "validate_package", "write_package"]
