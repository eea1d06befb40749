"""Pages of tasks (`/tasks/…`). Tasks are addressed by their public id (a UUID)."""

from django.urls import URLPattern, URLResolver, path

from pollguard.planning import task_views

app_name = "tasks"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", task_views.task_list, name="list"),
    path("board/", task_views.task_board, name="board"),
    path("mine/", task_views.task_mine, name="mine"),
    path("new/", task_views.task_new, name="new"),
    path("clone/", task_views.task_clone, name="clone"),
    path("clone/<int:plan_id>/", task_views.task_clone_result, name="clone_result"),
    path("<uuid:public_id>/", task_views.task_detail, name="detail"),
    path("<uuid:public_id>/acknowledge", task_views.task_acknowledge, name="acknowledge"),
    path("<uuid:public_id>/decline", task_views.task_decline, name="decline"),
    path("<uuid:public_id>/cancel", task_views.task_cancel, name="cancel"),
]
