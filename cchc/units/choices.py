from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    # Administrative units (QĐ 19/2025 codes)
    PROVINCE = "province", _("Tỉnh/Thành phố")
    DISTRICT = "district", _("Huyện/Quận (trước 01/07/2025)")
    COMMUNE = "commune", _("Xã")
    WARD = "ward", _("Phường")
    TOWNSHIP = "township", _("Thị trấn (trước 01/07/2025)")
    SPECIAL_ZONE = "special_zone", _("Đặc khu")
    # Agencies inside a unit
    DEPARTMENT = "department", _("Sở/ban/ngành")
    SERVICE_CENTRE = "service_centre", _("Trung tâm Phục vụ hành chính công")
    RECEPTION = "reception", _("Bộ phận Tiếp nhận và trả kết quả")
    SPECIALIST_OFFICE = "specialist_office", _("Phòng chuyên môn")

    @classmethod
    def administrative(cls) -> set[str]:
        return {cls.PROVINCE, cls.DISTRICT, cls.COMMUNE, cls.WARD, cls.TOWNSHIP, cls.SPECIAL_ZONE}

    @classmethod
    def commune_level(cls) -> set[str]:
        return {cls.COMMUNE, cls.WARD, cls.TOWNSHIP, cls.SPECIAL_ZONE}


class Role(models.TextChoices):
    RECEPTION = "reception", _("Tiếp nhận hồ sơ")
    SPECIALIST = "specialist", _("Chuyên viên xử lý")
    LEADER = "leader", _("Lãnh đạo phê duyệt")
    TTHC_CONTROL = "tthc_control", _("Đầu mối kiểm soát TTHC")
    APPRAISER = "appraiser", _("Thẩm định (cấp tỉnh)")
    SUPERVISOR = "supervisor", _("Giám sát (chỉ xem)")
    ADMINISTRATOR = "administrator", _("Quản trị")


# Roles whose membership covers the unit's whole subtree (a province appraiser sees every
# commune); the others cover the unit and the agencies inside it, never a sibling commune.
SUBTREE_ROLES = frozenset(
    {Role.LEADER, Role.TTHC_CONTROL, Role.APPRAISER, Role.SUPERVISOR, Role.ADMINISTRATOR}
)

# Roles that only read: they never act on dossiers or the catalogue.
READ_ONLY_ROLES = frozenset({Role.SUPERVISOR})

# Roles allowed to edit the unit's catalogue adoption and public listing.
CATALOGUE_EDITORS = frozenset({Role.TTHC_CONTROL, Role.ADMINISTRATOR})
