from django.contrib import admin

from cchc.catalogue.models import (
    Fee,
    Field,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
    StepTemplate,
    UnitProcedure,
)


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


class VersionInline(admin.TabularInline):
    model = ProcedureVersion
    extra = 0
    fields = ("effective_from", "name", "processing_time", "time_unit", "online_service")
    show_change_link = True


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "field", "authority_level")
    list_filter = ("field", "authority_level")
    search_fields = ("code", "name")
    inlines = [VersionInline]


class DocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 0


class FeeInline(admin.TabularInline):
    model = Fee
    extra = 0


class StepInline(admin.TabularInline):
    model = StepTemplate
    extra = 0


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    list_display = (
        "procedure",
        "effective_from",
        "name",
        "processing_time",
        "time_unit",
        "online_service",
    )
    list_filter = ("time_unit", "online_service")
    search_fields = ("procedure__code", "name")
    autocomplete_fields = ["procedure"]
    inlines = [DocumentInline, FeeInline, StepInline]


@admin.register(UnitProcedure)
class UnitProcedureAdmin(admin.ModelAdmin):
    list_display = ("unit", "procedure", "implemented", "reason")
    list_filter = ("implemented",)
    search_fields = ("unit__name", "procedure__code", "procedure__name")
    autocomplete_fields = ["unit", "procedure"]
