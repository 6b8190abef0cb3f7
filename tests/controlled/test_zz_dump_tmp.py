from django.urls import reverse
def test_dump(client_for, nurse):
    r = client_for(nurse).get(reverse("controlled:report_receipts"), {"from": "2025-03-10", "to": "2025-03-01"})
    html = r.content.decode()
    start = html.index("<main")
    open("/tmp/page.html", "w").write(html[start:start+6000])
