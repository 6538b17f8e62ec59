from __future__ import annotations

from typing import Any

from cchc.catalogue.io import (
    import_catalogue,
    parse_catalogue_json,
    parse_catalogue_xlsx,
)
from cchc.lib.commands import FileImportCommand


class Command(FileImportCommand):
    help = "Import the procedure catalogue from FILE.json or FILE.xlsx (docs/formats.md)."
    parsers = {".json": parse_catalogue_json, ".xlsx": parse_catalogue_xlsx}

    def importer(self, data: Any) -> Any:
        return import_catalogue(data)
