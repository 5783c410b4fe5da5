"""Staff notifications through real channels: WeCom and DingTalk group robots, WeChat template messages
and signed webhooks, chosen per village, township and role (docs/notifications.md).

Imports ``cases`` (the outbox, the channel table) and ``cunfa`` (settings); ``api`` and the CLI import it,
``cases`` never does.
"""

from notify.channels import ChannelError, ChannelNotFound, Scope, add_channel, channel_view, list_channels
from notify.delivery import deliver_due, send_test
from notify.senders import Outcome, Result

__all__ = [
    "ChannelError",
    "ChannelNotFound",
    "Outcome",
    "Result",
    "Scope",
    "add_channel",
    "channel_view",
    "deliver_due",
    "list_channels",
    "send_test",
]
