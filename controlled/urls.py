from django.urls import include, path

app_name = "controlled"

urlpatterns = [
    path("reports/", include("controlled.report_urls")),
]
