from django.contrib import admin

from cchc.units.models import Membership, Unit, UnitSuccession


class SuccessionInline(admin.TabularInline):
    model = UnitSuccession
    fk_name = "predecessor"
    extra = 0
    autocomplete_fields = ["successor"]
    verbose_name = "đơn vị kế thừa"


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "agency_identifier", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("code", "name", "agency_identifier")
    autocomplete_fields = ["parent"]
    inlines = [SuccessionInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "unit", "role", "valid_from", "valid_to")
    list_filter = ("role",)
    search_fields = ("user__username", "user__full_name", "unit__name", "unit__code")
    autocomplete_fields = ["user", "unit"]
