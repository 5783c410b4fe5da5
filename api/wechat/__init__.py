"""The WeChat official account channel (公众号): callback verification, messages in, text replies out.

Residents already live in WeChat, so this is the channel most of them will use. Everything
WeChat-specific (signatures, AES, XML, the 5-second rule, customer-service messages) stays in this
package; a turn itself goes through ``api.conversation.answer_turn`` exactly like ``/v1/chat``.
"""

from api.wechat.callback import Callback, Forbidden, Malformed, Rejected
from api.wechat.channel import WeChatChannel
from api.wechat.customer_service import CustomerServiceError, CustomerServiceSender, WeChatClientSender

__all__ = [
    "Callback",
    "CustomerServiceError",
    "CustomerServiceSender",
    "Forbidden",
    "Malformed",
    "Rejected",
    "WeChatChannel",
    "WeChatClientSender",
]
