# The benchmark's 10 tasks as a pyinfra deploy (runbook.yml and ansible.yml are the same in their syntax).
# Each host works under its own directory, the inventory's host data `root`. pyinfra has no register or
# set_fact: "read motd" and "motd is in place" are one check run on the host at execution time, and
# "app ready" is a plain Python variable (no operation). Run from this directory (the template's path).
from io import StringIO

from pyinfra import host
from pyinfra.facts.files import File
from pyinfra.operations import apt, files, python, server

app = f"{host.data.root}/pyinfra"

files.directory(name="app directory", path=app, mode="755")
files.put(name="motd content", src=StringIO("managed by the runbook benchmark\n"), dest=f"{app}/motd", mode="644")
files.line(name="settings port", path=f"{app}/settings.conf", line="^port=.*$", replace="port=8080")
files.line(name="settings name", path=f"{app}/settings.conf", line="^name=.*$", replace=f"name={host.name}")
files.template(
    name="index page",
    src="index.html.j2",
    dest=f"{app}/index.html",
    mode="644",
    inventory_hostname=host.name,
    root=host.data.root,
)
# pyinfra's way of `creates`: a fact read while the deploy is planned decides whether the step exists.
if not host.get_fact(File, path=f"{app}/.initialized"):
    server.shell(name="initialise once", commands=[f"touch {app}/.initialized"])


def motd_is_in_place():
    motd = host.reload_fact(File, path=f"{app}/motd")
    assert motd and motd["mode"] == 644, f"motd is not in place: {motd}"


python.call(name="read motd, motd is in place", function=motd_is_in_place)
apt.packages(name="coreutils present", packages=["coreutils"])
app_ready = True
