# The lab-ansible tier's stdout callback: the whole run as one JSON document ({"plays": [{"play",
# "tasks": [{"task", "hosts": {HOST: result}}]}], "stats": {HOST: summary}}), so the test reads
# results instead of scraping text. ansible-core ships no such callback (the "json" one lives in the
# ansible.posix collection, which a host with only ansible-core does not have), and the collection
# under test must run on ansible-core alone.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = """
name: vfctl_json
type: stdout
short_description: the run as one JSON document, for vfctl's lab tests
description: Plays, tasks and each host's result, then the per-host stats, printed at the end.
"""

import json

from ansible.module_utils.common.json import AnsibleJSONEncoder
from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "vfctl_json"

    def __init__(self):
        super(CallbackModule, self).__init__()
        self.plays = []

    def v2_playbook_on_play_start(self, play):
        self.plays.append({"play": {"name": play.get_name()}, "tasks": []})

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.plays[-1]["tasks"].append({"task": {"name": task.get_name()}, "hosts": {}})

    v2_playbook_on_handler_task_start = v2_playbook_on_task_start

    def _record(self, result, **status):
        res = dict(result._result, **status)
        self.plays[-1]["tasks"][-1]["hosts"][result._host.get_name()] = res

    def v2_runner_on_ok(self, result, **kwargs):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False, **kwargs):
        self._record(result, failed=True)

    def v2_runner_on_skipped(self, result, **kwargs):
        self._record(result, skipped=True)

    def v2_runner_on_unreachable(self, result, **kwargs):
        self._record(result, unreachable=True)

    def v2_playbook_on_stats(self, stats):
        summary = dict((h, stats.summarize(h)) for h in sorted(stats.processed))
        self._display.display(json.dumps({"plays": self.plays, "stats": summary}, cls=AnsibleJSONEncoder,
                                         indent=1, sort_keys=True))
