from __future__ import annotations

from typing import Any

from cchc.lib.commands import FileImportCommand
from cchc.units.io import import_units, parse_units_csv, parse_units_json


class Command(FileImportCommand):
    help = "Import administrative units and agencies from FILE.csv or FILE.json (docs/formats.md)."
    parsers = {".csv": parse_units_csv, ".json": parse_units_json}

    def importer(self, data: Any) -> Any:
        return import_units(data)
