"""Human messages for every error and field code, Vietnamese first, English second.

Codes are the stable contract; these texts may improve at any time.
"""

from __future__ import annotations

LANGUAGES = ("vi", "en")

ERRORS: dict[str, dict[str, str]] = {
    "validation_failed": {
        "vi": "Vui lòng kiểm tra lại các trường được đánh dấu.",
        "en": "Please check the highlighted fields.",
    },
    "bad_json": {
        "vi": "Nội dung gửi lên không phải JSON hợp lệ.",
        "en": "The request body is not valid JSON.",
    },
    "unsupported_media_type": {
        "vi": "Chỉ nhận dữ liệu dạng application/json.",
        "en": "Only application/json is accepted.",
    },
    "too_large": {
        "vi": "Dữ liệu gửi lên quá lớn.",
        "en": "The request body is too large.",
    },
    "unknown_site": {
        "vi": "Trang web này chưa được đăng ký với dịch vụ bình luận.",
        "en": "This site is not registered for comments.",
    },
    "not_found": {"vi": "Không tìm thấy.", "en": "Not found."},
    "method_not_allowed": {
        "vi": "Phương thức không được hỗ trợ.",
        "en": "Method not allowed.",
    },
    "unauthorized": {
        "vi": "Cần khoá API hợp lệ (Authorization: Bearer …).",
        "en": "A valid API key is required (Authorization: Bearer …).",
    },
    "ops_key_required": {
        "vi": "Cần khoá API vai trò ops hoặc admin làm mật khẩu HTTP Basic.",
        "en": "An ops or admin API key is required as the HTTP Basic password.",
    },
    "metrics_token_required": {
        "vi": "Cần mã /metrics (Authorization: Bearer …).",
        "en": "The /metrics token is required (Authorization: Bearer …).",
    },
    "forbidden": {
        "vi": "Bạn không có quyền thực hiện thao tác này.",
        "en": "You are not allowed to do this.",
    },
    "conflict": {
        "vi": "Bình luận đã được quyết định; gửi kèm If-Match với ETag hiện tại để thay đổi.",
        "en": "The comment was already decided; send If-Match with its current ETag to change it.",
    },
    "rule_state": {
        "vi": "Quy tắc ở trạng thái này không thể chuyển như vậy.",
        "en": "The rule cannot make that move from its state.",
    },
    "no_phone": {
        "vi": "Bình luận không có số điện thoại nên không nhận ra được tác giả.",
        "en": "The comment has no phone number, so its author cannot be recognised.",
    },
    "not_decided": {
        "vi": "Bình luận chưa được quyết định nên không có gì để mở lại.",
        "en": "The comment is not decided, so there is nothing to reopen.",
    },
    "already_exists": {
        "vi": "Tên này đã được dùng.",
        "en": "This name is already taken.",
    },
    "precondition_failed": {
        "vi": "Bình luận đã thay đổi từ lần bạn xem; hãy tải lại.",
        "en": "The comment changed since you read it; reload it.",
    },
    "rate_limited": {
        "vi": "Bạn thao tác quá nhanh, vui lòng thử lại sau ít phút.",
        "en": "Too many requests, please try again shortly.",
    },
    "unavailable": {
        "vi": "Dịch vụ tạm thời gián đoạn, vui lòng thử lại sau.",
        "en": "The service is temporarily unavailable, please try again.",
    },
    "data_key": {
        "vi": "Không mở được dữ liệu đã mã hoá: thiếu khoá dữ liệu.",
        "en": "Sealed data cannot be opened: a data key is missing.",
    },
    "internal": {
        "vi": "Đã có lỗi xảy ra phía máy chủ.",
        "en": "Something went wrong on our side.",
    },
}

FIELDS: dict[str, dict[str, str]] = {
    "required": {"vi": "Trường này là bắt buộc.", "en": "This field is required."},
    "too_long": {
        "vi": "Quá dài (tối đa {max} ký tự).",
        "en": "Too long (at most {max} characters).",
    },
    "too_many": {
        "vi": "Quá nhiều (tối đa {max} mục).",
        "en": "Too many (at most {max} items).",
    },
    "invalid": {"vi": "Giá trị không hợp lệ.", "en": "Invalid value."},
    "phone_invalid": {
        "vi": "Số điện thoại không hợp lệ.",
        "en": "This phone number is not valid.",
    },
    "consent_required": {
        "vi": "Hãy đồng ý với thông báo về dữ liệu cá nhân để gửi số điện thoại.",
        "en": "Agree to the privacy notice to send your phone number.",
    },
    "not_public": {
        "vi": "Địa chỉ này nằm trong mạng nội bộ (loopback, riêng hoặc link-local).",
        "en": "This address is not public (loopback, private or link-local).",
    },
    "captcha_invalid": {
        "vi": "Mã xác nhận không đúng.",
        "en": "The verification code is wrong.",
    },
    "captcha_expired": {
        "vi": "Mã xác nhận đã hết hạn hoặc đã dùng, hãy lấy mã mới.",
        "en": "The verification code expired or was used; get a new one.",
    },
    "unsafe_pattern": {
        "vi": "Biểu thức này có thể chạy quá lâu (lượng từ lồng nhau, tham chiếu ngược, nhìn"
        " trước/sau hoặc quá nhiều lượng từ).",
        "en": "This expression could run too long (nested quantifiers, back-references,"
        " look-around, or too many quantifiers).",
    },
    "weight_or_action": {
        "vi": "Cho một trọng số hoặc một hành động, không phải cả hai.",
        "en": "Give a weight or an action, not both.",
    },
}


def error_message(code: str, lang: str) -> str:
    """The message for an error code in ``lang`` (Vietnamese if unknown)."""
    texts = ERRORS.get(code, ERRORS["internal"])
    return texts.get(lang, texts["vi"])


def field_message(code: str, lang: str, **params: object) -> str:
    """The message for a field error code, with its parameters filled in."""
    texts = FIELDS.get(code, FIELDS["invalid"])
    return texts.get(lang, texts["vi"]).format_map(_Params(params))


class _Params(dict):
    """Message parameters; one that is missing shows as "?" rather than failing."""

    def __missing__(self, key: str) -> str:
        return "?"
