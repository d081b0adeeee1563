"""The file guards: what a report file must pass, on its raw bytes, before calamine reads it.

calamine parses fast but trusts the file: a sheet claiming a cell at XFD1048576, or an .ods row
repeated a million times, makes it allocate the whole rectangle, and a failed allocation aborts
the process (no Python exception). So every guard runs on the raw bytes first, and refuses with
Refused (a rule and a Vietnamese message):

- container.py: size, magic bytes against the extension, zip entry sizes and ratios (re-inflated
  with a cap, since headers can lie), encryption;
- extent.py: the used extent of every sheet, and formulas saved without a result (.xlsx, .ods);
- ole.py: the compound file of an .xls, and its BIFF records (encryption, extent);
- limits.py: the limits themselves.
"""
from etl.intake.guards.container import check_container, load_bytes
from etl.intake.guards.limits import Refused, max_upload_bytes

__all__ = ["Refused", "check_container", "load_bytes", "max_upload_bytes"]
