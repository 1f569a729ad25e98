from django.urls import path

from cse import views

app_name = "cse"

urlpatterns = [
    path("", views.home, name="home"),
]
