from django.urls import path

from cchc.parindex import views

app_name = "parindex"
urlpatterns = [
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
]
