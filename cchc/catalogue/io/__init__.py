"""Import and export of the procedure catalogue (docs/formats.md, "Procedure catalogue").

One module per stage. Both file formats are read into the same raw shape, `CatalogueData`:
items holding the values as found in the file and where they came from (`read`). One checker
turns that into a clean `Catalogue`, collecting every error with its sheet or JSON path, row and
column (`check`, on the import checker the units share: cchc.lib.importing), and one writer
stores it in a single transaction (`write`). Export goes the other way: the database is read
into a `Catalogue`, which is rendered as JSON or xlsx, so export → import → export gives the
same file (`export`). What the stages pass to each other is in `shapes`.
"""

from cchc.catalogue.io.check import validate_catalogue
from cchc.catalogue.io.export import (
    catalogue_from_db,
    export_catalogue_json,
    export_catalogue_xlsx,
    spec_of_version,
)
from cchc.catalogue.io.read import parse_catalogue_json, parse_catalogue_xlsx
from cchc.catalogue.io.shapes import (
    ADOPTION_KEYS,
    CHILD_KEYS,
    CHILD_SHEETS,
    DOCUMENT_KEYS,
    FEE_KEYS,
    FIELD_KEYS,
    FORM_FOLDER,
    FORM_PATH_MAX,
    FORMAT,
    FORMAT_VERSION,
    OPTIONAL_COLUMNS,
    PROCEDURE_KEYS,
    SHARE_TOLERANCE,
    SHARE_TOTAL,
    SHEETS,
    SMALL_INT_MAX,
    STEP_KEYS,
    VERSION_KEYS,
    AdoptionSpec,
    Catalogue,
    CatalogueData,
    CatalogueImportError,
    DocumentSpec,
    FeeSpec,
    FieldSpec,
    ProcedureItem,
    ProcedureSpec,
    StepSpec,
    VersionItem,
    VersionSpec,
)
from cchc.catalogue.io.write import ImportResult, import_catalogue
from cchc.lib.importing import Item, Where

__all__ = [
    "ADOPTION_KEYS",
    "CHILD_KEYS",
    "CHILD_SHEETS",
    "DOCUMENT_KEYS",
    "FEE_KEYS",
    "FIELD_KEYS",
    "FORM_FOLDER",
    "FORM_PATH_MAX",
    "FORMAT",
    "FORMAT_VERSION",
    "OPTIONAL_COLUMNS",
    "PROCEDURE_KEYS",
    "SHARE_TOLERANCE",
    "SHARE_TOTAL",
    "SHEETS",
    "SMALL_INT_MAX",
    "STEP_KEYS",
    "VERSION_KEYS",
    "AdoptionSpec",
    "Catalogue",
    "CatalogueData",
    "CatalogueImportError",
    "DocumentSpec",
    "FeeSpec",
    "FieldSpec",
    "ImportResult",
    "Item",
    "ProcedureItem",
    "ProcedureSpec",
    "StepSpec",
    "VersionItem",
    "VersionSpec",
    "Where",
    "catalogue_from_db",
    "export_catalogue_json",
    "export_catalogue_xlsx",
    "import_catalogue",
    "parse_catalogue_json",
    "parse_catalogue_xlsx",
    "validate_catalogue",
    "spec_of_version",
]
