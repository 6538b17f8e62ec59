from django.urls import path

from cchc.surveys import views

app_name = "surveys"
urlpatterns = [
    # Public: the citizen's questionnaire (one-time link, QR code) and the counter's tablet
    path("khao-sat/quay/<str:token>/", views.kiosk, name="kiosk"),
    path("khao-sat/<str:token>/", views.answer, name="answer"),
    # Staff
    path("lam-viec/khao-sat/", views.rounds, name="rounds"),
    path("lam-viec/khao-sat/dot-moi/", views.new_round, name="new_round"),
    path("lam-viec/khao-sat/bo-cau-hoi/", views.questionnaires, name="questionnaires"),
    path(
        "lam-viec/khao-sat/bo-cau-hoi/<int:questionnaire_id>/",
        views.questionnaire,
        name="questionnaire",
    ),
    path("lam-viec/khao-sat/dot/<int:round_id>/", views.round_detail, name="round"),
    path("lam-viec/khao-sat/dot/<int:round_id>/thao-tac/<str:action>/", views.act, name="act"),
    path("lam-viec/khao-sat/dot/<int:round_id>/nhap-phieu/", views.paper_entry, name="paper_entry"),
    path(
        "lam-viec/khao-sat/dot/<int:round_id>/may-tinh-bang/", views.start_kiosk, name="start_kiosk"
    ),
    path("lam-viec/khao-sat/dot/<int:round_id>/ket-qua/", views.results, name="results"),
]
