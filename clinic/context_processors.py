from clinic.navigation import navigation_for


def clinic(request):
    return {
        "clinic": getattr(request, "clinic", None),
        "navigation": navigation_for(request),
    }
