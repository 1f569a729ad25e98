from django.urls import include, path


def fail(request):
    raise RuntimeError("deliberate failure")


urlpatterns = [path("fail/", fail), path("", include("cse.root_urls"))]
handler500 = "cse.views.home.server_error"
