from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.catalogue.models import ProcedureVersion
from cchc.dossiers.actions import DossierError
from cchc.dossiers.choices import ApplicantKind, Channel, ReturnMethod
from cchc.dossiers.inputs import OUTCOME_FIELDS, lines, read_counter_outcome
from cchc.dossiers.missing import MissingItem
from cchc.lib.forms import IdNumberInput, PhoneInput
from cchc.lib.numbers import localised
from cchc.lib.personal import InvalidIdNumber, InvalidPhone, check_id_number, normalise_phone
from cchc.lib.uploads import max_file_bytes
from cchc.units.models import Unit

OUTCOMES = [
    ("received", _("Tiếp nhận (hồ sơ đầy đủ) – in Giấy tiếp nhận, Mẫu 01")),
    ("incomplete", _("Hướng dẫn bổ sung (chưa đủ) – Mẫu 02")),
    ("refused", _("Từ chối tiếp nhận – Mẫu 03")),
]
# How many scanned files one document of the list may carry (pages scanned one by one).
MAX_FILES_PER_DOCUMENT = 20


def size_text(size: int) -> str:
    """A file size as people read it: "4,2 MB", "850 KB" (Vietnamese decimal comma)."""
    if size >= 1024 * 1024:
        mb = size / (1024 * 1024)
        return f"{localised(round(mb, 1), 0 if mb == int(mb) else 1)} MB"
    return f"{localised(max(1, round(size / 1024)))} KB"


class ReceiptForm(forms.Form):
    """The counter's receipt form; the documents come from the chosen procedure's list."""

    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(), label=_("Nơi tiếp nhận"), to_field_name="code"
    )
    processing_unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        label=_("Đơn vị giải quyết"),
        to_field_name="code",
        required=False,
        help_text=_(
            "Để trống nếu chính nơi tiếp nhận giải quyết; chọn xã khác khi tiếp nhận phi địa giới."
        ),
    )
    procedure = forms.CharField(label=_("Mã thủ tục"), max_length=30, widget=forms.HiddenInput)
    applicant_kind = forms.ChoiceField(
        choices=ApplicantKind.choices, label=_("Người nộp là"), initial=ApplicantKind.PERSON
    )
    applicant_name = forms.CharField(label=_("Họ tên / tên tổ chức"), max_length=200)
    applicant_id_number = forms.CharField(
        label=_("Số CCCD / mã số thuế"), max_length=20, required=False, widget=IdNumberInput
    )
    # Typed as people write it ("0912 345 678", "+84 912 345 678"); kept in one form (clean_…).
    applicant_phone = forms.CharField(
        label=_("Điện thoại"),
        max_length=30,
        required=False,
        widget=PhoneInput(attrs={"autocomplete": "off"}),  # the applicant's, not the officer's
    )
    applicant_email = forms.EmailField(label=_("Thư điện tử"), required=False)
    applicant_address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)
    channel = forms.ChoiceField(
        choices=Channel.choices, label=_("Kênh nộp"), initial=Channel.COUNTER
    )
    return_method = forms.ChoiceField(
        choices=ReturnMethod.choices, label=_("Nhận kết quả"), initial=ReturnMethod.COUNTER
    )
    outcome = forms.ChoiceField(
        choices=OUTCOMES,
        label=_("Kết quả kiểm tra hồ sơ"),
        widget=forms.RadioSelect,
        initial="received",
    )
    missing = forms.CharField(
        label=_("Nội dung cần bổ sung (mỗi dòng một mục)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    reason = forms.CharField(
        label=_("Lý do từ chối"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(
        self,
        *args: Any,
        units: Any,
        province_units: Any,
        version: ProcedureVersion | None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units
        processing_field = self.fields["processing_unit"]
        assert isinstance(processing_field, forms.ModelChoiceField)
        processing_field.queryset = province_units
        self.version = version
        self.too_large = False
        if version is not None and not self.is_bound:
            # The procedure is chosen: the officer starts with the phone, which finds the
            # applicant of an earlier dossier.
            self.fields["applicant_phone"].widget.attrs["autofocus"] = True
        for doc in version.documents.all() if version else []:
            self.fields[f"doc_{doc.position}"] = forms.BooleanField(
                label=doc.name, required=False, initial=doc.required
            )
            self.fields[f"doc_{doc.position}_originals"] = forms.IntegerField(
                min_value=0, max_value=99, initial=doc.originals, required=False
            )
            self.fields[f"doc_{doc.position}_copies"] = forms.IntegerField(
                min_value=0, max_value=99, initial=doc.copies, required=False
            )

    def clean_applicant_phone(self) -> str:
        """The phone in its one stored form, so the citizen's account and the tracking check
        find the dossier whichever way it is typed later."""
        try:
            return normalise_phone(self.cleaned_data.get("applicant_phone", ""))
        except InvalidPhone as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        outcome = cleaned.get("outcome")
        if outcome:
            # The API's reader, so both doors decide alike; its refusal sits at the field.
            try:
                cleaned["decision"] = read_counter_outcome(
                    outcome,
                    missing=[MissingItem.parse(line) for line in lines(cleaned.get("missing", ""))],
                    reason=cleaned.get("reason", ""),
                )
            except DossierError as exc:
                self.add_error(OUTCOME_FIELDS.get(outcome), str(exc.message))
        self._check_files()
        kind = cleaned.get("applicant_kind")
        if kind and "applicant_id_number" in cleaned:
            # Checked by kind: a person's căn cước number, an organisation's tax code.
            try:
                cleaned["applicant_id_number"] = check_id_number(
                    kind, cleaned["applicant_id_number"]
                )
            except InvalidIdNumber as exc:
                self.add_error("applicant_id_number", str(exc))
        return cleaned

    def _check_files(self) -> None:
        """Scans too large are refused before anything is stored (answered 413); their type is
        checked by content in the receipt action."""
        limit = max_file_bytes()
        for doc in self.version.documents.all() if self.version else []:
            files = self.files.getlist(f"doc_{doc.position}_files") if self.files else []
            if len(files) > MAX_FILES_PER_DOCUMENT:
                self.add_error(
                    f"doc_{doc.position}",
                    _("Mỗi giấy tờ tối đa %(n)s tệp.") % {"n": MAX_FILES_PER_DOCUMENT},
                )
            for file in files:
                if file.size is not None and file.size > limit:
                    self.too_large = True
                    self.add_error(
                        f"doc_{doc.position}",
                        _("Tệp “%(name)s” (%(size)s) lớn hơn mức cho phép %(limit)s.")
                        % {
                            "name": (file.name or "")[:80],
                            "size": size_text(file.size),
                            "limit": size_text(limit),
                        },
                    )
            if files and not self.cleaned_data.get(f"doc_{doc.position}"):
                self.add_error(
                    f"doc_{doc.position}",
                    _("Có tệp quét nhưng giấy tờ chưa được đánh dấu là đã nhận."),
                )

    def too_large_status(self) -> int | None:
        return 413 if self.too_large else None

    def document_rows(self) -> list[dict[str, Any]]:
        if self.version is None:
            return []
        return [
            {
                "doc": d,
                "check": self[f"doc_{d.position}"],
                "originals": self[f"doc_{d.position}_originals"],
                "copies": self[f"doc_{d.position}_copies"],
                "files_name": f"doc_{d.position}_files",
            }
            for d in self.version.documents.all()
        ]
