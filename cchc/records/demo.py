"""The demo's evidence register (`manage.py load_par_demo`): a year of commune Nga Sơn's official
documents as real small PDFs, two of them digitally signed with pyHanko by a self-signed demo
certificate made at load time (so the register shows "đã ký số" beside "chưa ký số"), its CCHC
plan followed task by task (some done, one late), two initiatives and its communication
activities. Everything goes through `records.actions`, as an officer would enter it.

Idempotent: when the unit's register already holds the year's CCHC plan, nothing is added and
the documents found are returned."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.dossiers.printing.layout import FormPDF, Signer
from cchc.records import actions
from cchc.records.actions import DocumentFields, TaskFields
from cchc.records.choices import ActivityKind, InitiativeStatus, PlanTopic, TaskProgress
from cchc.records.models import CchcPlan, OfficialDocument
from cchc.units.models import Unit

LOCAL = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
CHAIR = "Lê Văn Hùng"
VICE_CHAIR = "Nguyễn Văn Thành"
PLAN = "12/KH-UBND"


@dataclass(frozen=True)
class DemoDocument:
    reference: str
    issued_on: dt.date
    title: str
    signer: str
    signed: bool = False  # the PDF carries a digital signature
    declared_signed: bool = False  # what the officer ticked (wrongly, for 78/BC-UBND)
    body: str = ""


def _d(day: str) -> dt.date:
    d, m, y = (int(part) for part in day.split("/"))
    return dt.date(y, m, d)


DOCUMENTS = [
    DemoDocument(
        "12/QĐ-UBND",
        _d("06/01/2025"),
        "Quyết định kiện toàn Bộ phận Tiếp nhận và Trả kết quả xã Nga Sơn",
        CHAIR,
        body="Kiện toàn Bộ phận Tiếp nhận và Trả kết quả gồm 05 công chức; giao Văn phòng "
        "HĐND và UBND xã quản lý, bố trí lịch trực tại Bộ phận Một cửa.",
    ),
    DemoDocument(
        PLAN,
        _d("10/01/2025"),
        "Kế hoạch cải cách hành chính năm 2025 của UBND xã Nga Sơn",
        CHAIR,
        signed=True,
        declared_signed=True,
        body="Triển khai đồng bộ 6 nội dung cải cách hành chính; công khai 100% thủ tục hành "
        "chính; giải quyết hồ sơ đúng hạn trên 98%; số hóa hồ sơ, kết quả giải quyết.",
    ),
    DemoDocument(
        "20/KH-UBND",
        _d("15/01/2025"),
        "Kế hoạch tuyên truyền cải cách hành chính năm 2025",
        VICE_CHAIR,
        body="Tuyên truyền trên hệ thống loa truyền thanh xã mỗi tháng ít nhất 02 tin; đăng tin "
        "trên trang thông tin điện tử; tổ chức hội nghị đối thoại với người dân.",
    ),
    DemoDocument(
        "05/TB-UBND",
        _d("20/01/2025"),
        "Thông báo lịch tiếp công dân và lịch trực Bộ phận Một cửa năm 2025",
        VICE_CHAIR,
    ),
    DemoDocument(
        "28/KH-UBND",
        _d("05/03/2025"),
        "Kế hoạch kiểm tra, tự kiểm tra công tác cải cách hành chính năm 2025",
        CHAIR,
    ),
    DemoDocument(
        "35/BC-UBND",
        _d("25/03/2025"),
        "Báo cáo kết quả thực hiện cải cách hành chính quý I năm 2025",
        CHAIR,
        signed=True,
        declared_signed=True,
    ),
    DemoDocument(
        "210/UBND-VP",
        _d("10/04/2025"),
        "V/v đôn đốc số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
        VICE_CHAIR,
    ),
    DemoDocument(
        "09/TB-UBND",
        _d("02/06/2025"),
        "Thông báo kết luận của Chủ tịch UBND xã tại cuộc họp giao ban cải cách hành chính",
        CHAIR,
    ),
    DemoDocument(
        "78/BC-UBND",
        _d("20/06/2025"),
        "Báo cáo cải cách hành chính 6 tháng đầu năm 2025",
        CHAIR,
        declared_signed=True,  # ticked "signed", but the PDF is a scan without signature
    ),
    DemoDocument(
        "03/BB-UBND",
        _d("15/07/2025"),
        "Biên bản kiểm tra công tác cải cách hành chính tại Bộ phận Một cửa",
        VICE_CHAIR,
    ),
    DemoDocument(
        "45/QĐ-UBND",
        _d("12/08/2025"),
        "Quyết định công nhận sáng kiến cấp xã năm 2025",
        CHAIR,
    ),
    DemoDocument(
        "156/BC-UBND",
        _d("22/09/2025"),
        "Báo cáo cải cách hành chính quý III năm 2025",
        CHAIR,
    ),
]

# (content, due, owner person, owner body, progress, done on, result)
TASKS: list[tuple[str, str, str, str, str, str, str]] = [
    (
        "Ban hành kế hoạch tuyên truyền cải cách hành chính năm 2025",
        "31/01/2025",
        "Nguyễn Văn Thành",
        "Văn phòng HĐND và UBND xã",
        TaskProgress.DONE,
        "15/01/2025",
        "Đã ban hành Kế hoạch số 20/KH-UBND ngày 15/01/2025.",
    ),
    (
        "Rà soát, công khai đầy đủ thủ tục hành chính tại Bộ phận Một cửa",
        "31/03/2025",
        "Phạm Thị Hoa",
        "Bộ phận Tiếp nhận và Trả kết quả",
        TaskProgress.DONE,
        "20/03/2025",
        "Niêm yết 132 thủ tục hành chính, cập nhật theo quyết định công bố của tỉnh.",
    ),
    (
        "Kiểm tra công tác cải cách hành chính tại Bộ phận Một cửa",
        "31/07/2025",
        "Lê Văn Hùng",
        "",
        TaskProgress.DONE,
        "15/07/2025",
        "Đã kiểm tra (Biên bản số 03/BB-UBND); chấn chỉnh 02 hồ sơ trả kết quả chậm.",
    ),
    (
        "Số hóa 100% hồ sơ, kết quả giải quyết thủ tục hành chính tiếp nhận từ tháng 4",
        "30/06/2025",
        "",
        "Bộ phận Tiếp nhận và Trả kết quả",
        TaskProgress.IN_PROGRESS,
        "",
        "",
    ),
    (
        "Tổ chức đối thoại với người dân về giải quyết thủ tục hành chính",
        "30/11/2025",
        "Nguyễn Văn Thành",
        "",
        TaskProgress.DONE,
        "26/09/2025",
        "Đã đối thoại với 85 người dân tại nhà văn hóa thôn 3; tiếp thu, trả lời 12 ý kiến.",
    ),
    (
        "Báo cáo kết quả cải cách hành chính năm 2025",
        "15/12/2025",
        "",
        "Văn phòng HĐND và UBND xã",
        TaskProgress.DONE,
        "12/12/2025",
        "Đã gửi Báo cáo kết quả cải cách hành chính năm 2025 về UBND tỉnh ngày 12/12/2025.",
    ),
]


def _moment(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LOCAL)


class _DocumentPDF(FormPDF):
    """An A4 administrative document: no form number in the footer."""

    def footer(self) -> None:
        return None


def document_pdf(unit: Unit, doc: DemoDocument) -> bytes:
    """A one-page document laid out as Decree 30/2020 wants it: the issuer and the motto, the
    number and symbol, the title, a short body and the signature block."""
    pdf = _DocumentPDF(form_number="", title=doc.title, paper="A4", body_size=12, author=unit.name)
    pdf.official_header(unit, day=doc.issued_on)
    pdf.paragraph(f"Số: {doc.reference}", align="L")
    pdf.ln(2)
    pdf.heading(doc.title)
    pdf.paragraph(
        doc.body
        or "Ủy ban nhân dân xã Nga Sơn ban hành văn bản này để triển khai thực hiện nhiệm vụ "
        "cải cách hành chính năm 2025 trên địa bàn xã."
    )
    pdf.ln(4)
    title = "Chủ tịch" if doc.signer == CHAIR else "KT. Chủ tịch\nPhó Chủ tịch"
    pdf.signatures(Signer(title, doc.signer, hint=""))
    return pdf.render()


def sign_with_demo_certificate(content: bytes, unit: Unit, *, at: dt.datetime) -> bytes:
    """`content` with a detached CMS signature by a self-signed certificate in the unit's name, made
    now: genuinely signed (pyHanko finds it intact), though no trust root vouches for it. The
    signature says it was made `at` (the day of issue), not on the day the demo was loaded."""
    import asyncio

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import NoEncryption, pkcs12
    from cryptography.x509.oid import NameOID
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
    from pyhanko.sign.signers.pdf_signer import PdfTBSDocument

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Chứng thư minh họa, tự ký"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"UBND {unit.name[:1].lower()}{unit.name[1:]}"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    p12 = pkcs12.serialize_key_and_certificates(None, key, cert, None, NoEncryption())
    signer = signers.SimpleSigner.load_pkcs12_data(p12, other_certs=[], passphrase=None)
    meta = signers.PdfSignatureMetadata(
        field_name="Signature1",
        md_algorithm="sha256",
        # adbe.pkcs7.detached: its CMS may carry the signing time (PAdES takes the file's /M).
        subfilter=fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED,
        reason="Ký ban hành văn bản",
        location=unit.name,
    )
    # pyHanko's one-call signing stamps the current time; signing in its steps lets the CMS
    # carry the moment of issue.
    prepared, _document, output = asyncio.run(
        signers.PdfSigner(meta, signer).async_digest_doc_for_signing(
            IncrementalPdfFileWriter(io.BytesIO(content))
        )
    )
    cms = asyncio.run(
        signer.async_sign(
            prepared.document_digest,
            "sha256",
            signed_attr_settings=PdfCMSSignedAttributes(signing_time=at),
        )
    )
    PdfTBSDocument.finish_signing(output, prepared, cms)
    output.seek(0)
    return bytes(output.read())


def _file_name(doc: DemoDocument) -> str:
    return doc.reference.replace("/", "-").replace("Đ", "D") + ".pdf"


def load_register(unit: Unit, *, keeper: Any, year: int = 2025) -> dict[str, OfficialDocument]:
    """The unit's demo register for `year`, by number and symbol."""
    existing = {d.reference: d for d in OfficialDocument.objects.filter(unit=unit, year=year)}
    if CchcPlan.objects.filter(unit=unit, year=year, topic=PlanTopic.CCHC).exists():
        return existing
    documents: dict[str, OfficialDocument] = {}
    for doc in DOCUMENTS:
        if doc.reference in existing:
            documents[doc.reference] = existing[doc.reference]
            continue
        content = document_pdf(unit, doc)
        if doc.signed:
            content = sign_with_demo_certificate(content, unit, at=_moment(doc.issued_on, 14))
        file = SimpleUploadedFile(_file_name(doc), content, content_type="application/pdf")
        documents[doc.reference] = actions.register_document(
            unit,
            DocumentFields(
                reference=doc.reference,
                issued_on=doc.issued_on,
                title=doc.title,
                signer=doc.signer,
                declared_signed=doc.declared_signed,
            ),
            by=keeper,
            file=file,
            at=_moment(doc.issued_on, 15),
        )
    _plan(documents, keeper)
    _initiatives(unit, documents, keeper)
    _communication(unit, documents, keeper)
    return documents


def _plan(documents: dict[str, OfficialDocument], keeper: Any) -> None:
    plan_document = documents[PLAN]
    plan = actions.create_plan(
        plan_document,
        by=keeper,
        topic=PlanTopic.CCHC,
        tasks=[
            TaskFields(content=c, due_on=_d(due), owner_person=person, owner_body=body)
            for c, due, person, body, *_rest in TASKS
        ],
        at=_moment(plan_document.issued_on, 16),
    )
    evidence = {1: documents["20/KH-UBND"], 3: documents["03/BB-UBND"]}
    for task, (_c, _due, _p, _b, progress, done_on, result) in zip(
        plan.tasks.order_by("position"), TASKS, strict=True
    ):
        if progress == TaskProgress.NOT_STARTED:
            continue
        # The task in progress (due 30/06) is updated on 01/10/2025: late by itself.
        on = _d(done_on) if done_on else _d("01/10/2025")
        actions.update_task(
            task,
            by=keeper,
            progress=progress,
            result=result,
            done_on=_d(done_on) if done_on else None,
            evidence=evidence.get(task.position),
            at=_moment(on, 16),
        )
    actions.create_plan(
        documents["20/KH-UBND"],
        by=keeper,
        topic=PlanTopic.COMMUNICATION,
        tasks=[
            TaskFields(
                content="Phát tin về cải cách hành chính trên loa truyền thanh xã",
                due_on=_d("31/12/2025"),
                owner_body="Đài truyền thanh xã",
            ),
            TaskFields(
                content="Đăng tin, bài trên trang thông tin điện tử của xã",
                due_on=_d("31/12/2025"),
                owner_person="Nguyễn Văn Thành",
            ),
        ],
        at=_moment(_d("15/01/2025"), 16),
    )


def _initiatives(unit: Unit, documents: dict[str, OfficialDocument], keeper: Any) -> None:
    actions.record_initiative(
        unit,
        by=keeper,
        title="Tra cứu tiến độ hồ sơ bằng mã QR in trên giấy hẹn",
        author="Phạm Thị Hoa",
        year=2025,
        status=InitiativeStatus.APPLIED,
        recognised_by=documents["45/QĐ-UBND"],
        note="Áp dụng tại Bộ phận Một cửa từ tháng 8/2025.",
        at=_moment(_d("15/08/2025")),
    )
    actions.record_initiative(
        unit,
        by=keeper,
        title="Nhắc hẹn trả kết quả qua tin nhắn Zalo cho người cao tuổi",
        author="Nguyễn Thị Lan",
        year=2025,
        status=InitiativeStatus.PROPOSED,
        at=_moment(_d("20/09/2025")),
    )


def _communication(unit: Unit, documents: dict[str, OfficialDocument], keeper: Any) -> None:
    plan = documents["20/KH-UBND"]
    # 25 news items on the loudspeakers, recorded month by month (two or three a month).
    for month, count in enumerate((2, 2, 3, 2, 3, 2, 3, 2, 3, 3), start=1):
        on = dt.date(2025, month, 25)
        actions.record_activity(
            unit,
            by=keeper,
            kind=ActivityKind.LOUDSPEAKER,
            on=on,
            count=count,
            note=f"Tin cải cách hành chính tháng {month}/2025 trên loa truyền thanh xã.",
            evidence=plan,
            at=_moment(on, 17),
        )
    for on, kind, count, note in (
        (_d("28/02/2025"), ActivityKind.WEBSITE, 6, "Tin, bài về dịch vụ công trực tuyến."),
        (_d("18/04/2025"), ActivityKind.MEETING, 1, "Hội nghị tuyên truyền tại nhà văn hóa."),
        (_d("12/06/2025"), ActivityKind.LEAFLET, 500, "Tờ gấp hướng dẫn nộp hồ sơ trực tuyến."),
        (_d("26/09/2025"), ActivityKind.DIALOGUE, 1, "Đối thoại với người dân về TTHC."),
    ):
        actions.record_activity(
            unit,
            by=keeper,
            kind=kind,
            on=on,
            count=count,
            note=note,
            evidence=plan,
            at=_moment(on, 17),
        )
