from django.urls import path

from cchc.dossiers import print_views, views

app_name = "dossiers"
urlpatterns = [
    path("lam-viec/ho-so/", views.worklist, name="worklist"),
    path("lam-viec/ho-so/tiep-nhan/", views.receive, name="receive"),
    path("lam-viec/ho-so/tiep-nhan/thu-tuc/", views.procedure_search, name="procedure_search"),
    path("lam-viec/ho-so/tiep-nhan/nguoi-nop/", views.applicant_lookup, name="applicant_lookup"),
    path("lam-viec/ho-so/<str:code>/", views.detail, name="detail"),
    path("lam-viec/ho-so/<str:code>/thao-tac/<str:action>/", views.act, name="act"),
    path("lam-viec/ho-so/<str:code>/giay-to/", views.upload, name="upload"),
    path("lam-viec/ho-so/<str:code>/mau-<str:form>.pdf", print_views.form_pdf, name="form_pdf"),
    path(
        "lam-viec/don-vi/<str:unit_code>/so-theo-doi.pdf",
        print_views.ledger_pdf_view,
        name="ledger_pdf",
    ),
    path("lam-viec/ho-so/<str:code>/giay-to/<int:document_id>/", views.download, name="download"),
    path(
        "lam-viec/ho-so/<str:code>/giay-to/<int:document_id>/ky-so/",
        print_views.sign_document,
        name="sign_document",
    ),
]
