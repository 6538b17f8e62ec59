"""Admin: the document types and their abbreviations are edited here (they are data: a province
may add a type its registers use). Documents, plans and their history change only through the
actions, which keep who changed what; they are read on the staff pages."""

from __future__ import annotations

from django.contrib import admin

from cchc.records.models import DocumentType


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin[DocumentType]):
    list_display = ["name", "abbreviation", "key", "position"]
    list_editable = ["abbreviation", "position"]
    search_fields = ["name", "abbreviation", "key"]
