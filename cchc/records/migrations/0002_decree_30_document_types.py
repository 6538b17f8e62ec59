"""The document types of Decree 30/2020/NĐ-CP, Phụ lục III, with their abbreviations.

The list is copied here (a migration is frozen history); later changes are made in the admin."""

from django.db import migrations

TYPES = (
    ("resolution", "Nghị quyết (cá biệt)", "NQ"),
    ("decision", "Quyết định", "QĐ"),
    ("directive", "Chỉ thị", "CT"),
    ("rules", "Quy chế", "QC"),
    ("regulation", "Quy định", "QyĐ"),
    ("communique", "Thông cáo", "TC"),
    ("notice", "Thông báo", "TB"),
    ("guidance", "Hướng dẫn", "HD"),
    ("programme", "Chương trình", "CTr"),
    ("plan", "Kế hoạch", "KH"),
    ("scheme", "Phương án", "PA"),
    ("proposal", "Đề án", "ĐA"),
    ("project", "Dự án", "DA"),
    ("report", "Báo cáo", "BC"),
    ("minutes", "Biên bản", "BB"),
    ("submission", "Tờ trình", "TTr"),
    ("contract", "Hợp đồng", "HĐ"),
    ("dispatch", "Công điện", "CĐ"),
    ("memorandum", "Bản ghi nhớ", "GN"),
    ("agreement", "Bản thỏa thuận", "TTh"),
    ("authorisation", "Giấy ủy quyền", "GUQ"),
    ("invitation", "Giấy mời", "GM"),
    ("introduction", "Giấy giới thiệu", "GGT"),
    ("leave", "Giấy nghỉ phép", "GNP"),
    ("transmittal", "Phiếu gửi", "PG"),
    ("forwarding_slip", "Phiếu chuyển", "PC"),
    ("notification_slip", "Phiếu báo", "PB"),
    ("letter", "Công văn", ""),
)


def seed(apps, schema_editor):
    DocumentType = apps.get_model("records", "DocumentType")
    for position, (key, name, abbreviation) in enumerate(TYPES, start=1):
        DocumentType.objects.update_or_create(
            key=key, defaults={"name": name, "abbreviation": abbreviation, "position": position}
        )


def unseed(apps, schema_editor):
    apps.get_model("records", "DocumentType").objects.filter(
        key__in=[key for key, _name, _abbreviation in TYPES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("records", "0001_register")]

    operations = [migrations.RunPython(seed, unseed)]
