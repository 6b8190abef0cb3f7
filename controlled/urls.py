from django.urls import include, path

from controlled.views import counts, losses, records, stock

app_name = "controlled"

urlpatterns = [
    path("", stock.stock, name="stock"),
    path("receive/", stock.receive, name="receive"),
    path("containers/<int:pk>/", stock.container_detail, name="container"),
    path("containers/<int:pk>/waste/", stock.container_waste, name="container_waste"),
    path("containers/<int:pk>/move/", stock.container_transfer, name="container_transfer"),
    path("entries/<int:pk>/correct/", stock.entry_correct, name="entry_correct"),
    path("sessions/<int:pk>/draw/", records.record_draw, name="record_draw"),
    path("sessions/<int:pk>/waste/", records.record_waste, name="record_waste"),
    path("counts/", counts.count_list, name="count_list"),
    path("counts/new/", counts.count_new, name="count_new"),
    path("counts/<int:pk>/", counts.count_detail, name="count"),
    path("counts/lines/<int:pk>/resolve/", counts.line_resolve, name="line_resolve"),
    path("losses/new/", losses.loss_new, name="loss_new"),
    path("losses/<int:pk>/", losses.loss_detail, name="loss"),
    path("losses/<int:pk>/reported/", losses.loss_reported, name="loss_reported"),
    path("disposals/new/", losses.disposal_new, name="disposal_new"),
    path("reports/", include("controlled.report_urls")),
]
