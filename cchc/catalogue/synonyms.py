"""Words citizens use for procedures, as data for `cchc.catalogue.search`.

Written with diacritics for whoever maintains them; the search folds them (`cchc.lib.text.fold`)
when it loads them. A procedure's own keywords (`ProcedureVersion.keywords`) remain the first
place to teach the search a colloquial name: these lists are for words that apply to many
procedures, or that a catalogue import would not carry.
"""

from __future__ import annotations

# A colloquial phrase → the administrative wording it stands for. A query containing the phrase
# also matches a procedure whose name or keywords contain every word of one of the wordings.
SYNONYMS: dict[str, tuple[str, ...]] = {
    # Birth
    "giấy khai sinh": ("đăng ký khai sinh",),
    "làm khai sinh": ("đăng ký khai sinh",),
    "khai sinh cho con": ("đăng ký khai sinh",),
    "giấy chứng sinh": ("khai sinh",),
    # Marriage, single status
    "cưới": ("kết hôn",),
    "cưới vợ": ("kết hôn",),
    "cưới chồng": ("kết hôn",),
    "lấy vợ": ("kết hôn",),
    "lấy chồng": ("kết hôn",),
    "lấy nhau": ("kết hôn",),
    "giấy đăng ký kết hôn": ("đăng ký kết hôn",),
    "độc thân": ("xác nhận tình trạng hôn nhân",),
    "giấy độc thân": ("xác nhận tình trạng hôn nhân",),
    "tình trạng độc thân": ("xác nhận tình trạng hôn nhân",),
    # Death
    "báo tử": ("khai tử",),
    "chứng tử": ("khai tử",),
    "giấy chứng tử": ("khai tử",),
    "người chết": ("khai tử",),
    "người mất": ("khai tử",),
    "qua đời": ("khai tử",),
    # Certification: at the commune people say "công chứng" for what the law calls "chứng thực"
    "công chứng": ("chứng thực",),
    "sao y": ("chứng thực bản sao",),
    "sao y bản chính": ("chứng thực bản sao từ bản chính",),
    "photo công chứng": ("chứng thực bản sao",),
    "ký xác nhận": ("chứng thực chữ ký",),
    # Identity papers (the procedures' keywords name them; the names never do)
    "cmnd": ("căn cước",),
    "cccd": ("căn cước",),
    "chứng minh nhân dân": ("căn cước",),
    "chứng minh thư": ("căn cước",),
    "căn cước công dân": ("căn cước",),
    # Land and building
    "sổ đỏ": ("giấy chứng nhận quyền sử dụng đất",),
    "sổ hồng": ("giấy chứng nhận quyền sử dụng đất",),
    "bìa đỏ": ("giấy chứng nhận quyền sử dụng đất",),
    "xây nhà": ("xây dựng",),
    "giấy phép xây nhà": ("giấy phép xây dựng",),
    "xin phép xây nhà": ("giấy phép xây dựng",),
    "cấp phép xây dựng": ("giấy phép xây dựng",),
    "thừa kế": ("phân chia di sản",),
    "chia đất": ("phân chia di sản", "tranh chấp đất đai"),
    "tranh chấp đất": ("tranh chấp đất đai",),
    # Social protection
    "tiền trợ cấp": ("trợ cấp",),
    "lương hưu xã hội": ("trợ cấp hưu trí xã hội",),
    "tiền dưỡng già": ("trợ cấp hưu trí xã hội",),
    "người già": ("trợ cấp hưu trí xã hội", "người cao tuổi"),
    "ma chay": ("mai táng",),
    "đám ma": ("mai táng",),
    "đám tang": ("mai táng",),
    "chôn cất": ("mai táng",),
    "an táng": ("mai táng",),
    "tàn tật": ("khuyết tật",),
    "sổ nghèo": ("hộ nghèo",),
    "thương binh": ("người có công",),
    # Civil status changes
    "đổi tên": ("thay đổi cải chính bổ sung thông tin hộ tịch",),
    "sửa tên": ("thay đổi cải chính bổ sung thông tin hộ tịch",),
    "sửa giấy khai sinh": ("thay đổi cải chính bổ sung thông tin hộ tịch",),
    "cải chính": ("thay đổi cải chính bổ sung thông tin hộ tịch",),
    "bản sao giấy khai sinh": ("trích lục hộ tịch",),
    "sao lục": ("trích lục",),
    # Water, land use
    "giếng khoan": ("khai thác nước dưới đất",),
    "khoan giếng": ("khai thác nước dưới đất",),
    "nước ngầm": ("nước dưới đất",),
}

# Words that carry little meaning in a query ("xin", "làm", "cho"…): they add a little to the
# score when matched but a procedure need not contain them to be found.
WEAK_WORDS: frozenset[str] = frozenset(
    {
        "xin",
        "làm",
        "cho",
        "của",
        "và",
        "với",
        "ở",
        "tại",
        "thì",
        "là",
        "để",
        "được",
        "cần",
        "muốn",
        "tôi",
        "em",
        "con",  # "đổi tên con", "khai sinh cho con": whose paper it is, not which procedure
        "mình",
        "giấy",
        "tờ",
        "nào",
        "gì",
        "như",
        "thế",
        "phải",
        "đâu",
        "ạ",
        "nhé",
    }
)

# Phrases whose words are all weak wherever they appear: "cho con" hints at a birth but a
# procedure need not say it.
WEAK_PHRASES: tuple[str, ...] = (
    "cho con",
    "cho bé",
    "cho cháu",
    "cho trẻ",
    "thủ tục",
    "hồ sơ",
    "như thế nào",
    "bao nhiêu",
    "ở đâu",
)

# Words that make a procedure a variant of a more common one ("Đăng ký lại khai sinh", "Gia hạn
# giấy phép xây dựng"). A name containing one the query does not mention ranks a little lower,
# so that the common procedure comes first.
VARIANT_MARKERS: tuple[str, ...] = (
    "lại",
    "gia hạn",
    "chấm dứt",
    "thôi",
    "nước ngoài",
    "kết hợp",
    "đính chính",
    "đối với tổ chức",
    "trường hợp đặc biệt",
    "liên thông",
    "điện tử",
    "đổi",
    "điều chỉnh",
    "bổ sung",
    "hủy bỏ",
    "sửa đổi",
    "giải thể",
)
