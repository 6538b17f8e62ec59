"""Import and export of the procedure catalogue (docs/formats.md, "Procedure catalogue").

One module per stage. Both file formats are read into the same raw shape, `CatalogueData`:
items holding the values as found in the file and where they came from (`read`). One checker
turns that into a clean `Catalogue`, collecting every error with its sheet or JSON path, row and
column (`check`, on the import checker the units import shares: cchc.lib.importing), and one
writer stores it in a single transaction (`write`). Export goes the other way: the database is
read into a `Catalogue`, which is rendered as JSON or xlsx, so export → import → export gives
the same file (`export`). What the stages pass to each other, and the format's names, are in
`shapes`.

The package answers for its entry points below; the rest is imported from its module.
"""

from cchc.catalogue.io.check import validate_catalogue
from cchc.catalogue.io.export import catalogue_from_db, export_catalogue_json, export_catalogue_xlsx
from cchc.catalogue.io.read import parse_catalogue_json, parse_catalogue_xlsx
from cchc.catalogue.io.shapes import (
    FORMAT,
    FORMAT_VERSION,
    Catalogue,
    CatalogueData,
    CatalogueImportError,
)
from cchc.catalogue.io.write import ImportResult, import_catalogue

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "Catalogue",
    "CatalogueData",
    "CatalogueImportError",
    "ImportResult",
    "catalogue_from_db",
    "export_catalogue_json",
    "export_catalogue_xlsx",
    "import_catalogue",
    "parse_catalogue_json",
    "parse_catalogue_xlsx",
    "validate_catalogue",
]
