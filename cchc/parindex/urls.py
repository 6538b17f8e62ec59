from django.urls import path

from cchc.parindex import views, views_remediation

app_name = "parindex"
urlpatterns = [
    path("lam-viec/chi-so-cchc/", views.assessments, name="assessments"),
    path("lam-viec/chi-so-cchc/<int:assessment_id>/", views.assessment_detail, name="assessment"),
    path(
        "lam-viec/chi-so-cchc/<int:assessment_id>/buoc/<str:action>/",
        views.act,
        name="act",
    ),
    path(
        "lam-viec/chi-so-cchc/<int:assessment_id>/tieu-chi/<str:code>/",
        views.criterion_detail,
        name="criterion",
    ),
    path(
        "lam-viec/chi-so-cchc/<int:assessment_id>/minh-chung/<int:evidence_id>/",
        views.evidence_file,
        name="evidence_file",
    ),
    path(
        "lam-viec/chi-so-cchc/<int:assessment_id>/diem-bi-tru.docx",
        views.lost_points_word,
        name="lost_docx",
    ),
    path(
        "lam-viec/chi-so-cchc/<int:assessment_id>/diem-bi-tru.xlsx",
        views.lost_points_workbook,
        name="lost_xlsx",
    ),
    path(
        "lam-viec/chi-so-cchc/don-vi/<str:unit_code>/so-sanh/",
        views.unit_comparison,
        name="comparison",
    ),
    path(
        "lam-viec/chi-so-cchc/<int:assessment_id>/khac-phuc/",
        views_remediation.remediation,
        name="remediation",
    ),
    path(
        "lam-viec/chi-so-cchc/<int:assessment_id>/khac-phuc/giao/",
        views_remediation.give,
        name="remediation_give",
    ),
    path(
        "lam-viec/chi-so-cchc/<int:assessment_id>/khac-phuc/<int:task_id>/<str:action>/",
        views_remediation.move,
        name="remediation_move",
    ),
]
