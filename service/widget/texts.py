"""The words of the comment form, Vietnamese first, English second.

One table for both forms: the script widget receives it inside ``widget.js``,
the no-JavaScript form renders it in its template. Error and field messages
come from :mod:`commentgate.messages`, as the API's do.
"""

from __future__ import annotations

from commentgate.messages import LANGUAGES

UI: dict[str, dict[str, str]] = {
    "vi": {
        "form_heading": "Gửi bình luận",
        "required_note": "Các trường có dấu (*) là bắt buộc.",
        "name": "Họ tên",
        "phone": "Số điện thoại",
        "title": "Tiêu đề",
        "content": "Nội dung",
        "captcha": "Mã xác nhận",
        "phone_hint": "Không bắt buộc, không hiển thị công khai. Ví dụ: 0912 345 678",
        "privacy_notice": "Thông báo về dữ liệu cá nhân",
        "notice_version": "bản",
        "consent": "Tôi đồng ý cho xử lý số điện thoại của tôi theo mục đích trên"
        " (bắt buộc nếu để lại số điện thoại).",
        "consent_always": "Tôi đồng ý với thông báo về dữ liệu cá nhân (bắt buộc).",
        "captcha_hint": "Nhập 5 ký tự trong hình (không phân biệt chữ hoa, chữ thường).",
        "captcha_hint_audio": "Nhập 7 chữ số bạn nghe được.",
        "captcha_alt": "Mã xác nhận dạng hình ảnh; nếu không xem được, hãy dùng nút nghe mã",
        "refresh": "Lấy lại mã bảo mật",
        "listen": "Nghe mã bằng âm thanh",
        "audio_label": "Mã xác nhận đọc bằng giọng nói",
        "audio_note": "Các chữ số được đọc bằng tiếng Anh.",
        "captcha_failed": "Không tải được mã xác nhận.",
        "new_code": "Đã có mã xác nhận mới.",
        "honeypot": "Website (để trống ô này)",
        "submit": "Gửi bình luận",
        "sending": "Đang gửi…",
        "success": "Cảm ơn bạn! Bình luận của bạn đang chờ kiểm duyệt.",
        "kept": "Nội dung bạn viết vẫn được giữ lại.",
        "offline": "Không kết nối được tới máy chủ bình luận.",
        "retry": "Thử lại",
        "retry_hint": "Hãy nhập mã xác nhận mới rồi gửi lại.",
        "retry_after": "Bạn có thể gửi lại sau {seconds} giây.",
        "draft_restored": "Đã khôi phục bản nháp bạn chưa gửi.",
        "comments": "Bình luận",
        "no_comments": "Chưa có bình luận nào.",
        "more": "Xem thêm bình luận",
        "comments_failed": "Không tải được bình luận.",
        "count": "{n}/{max} ký tự",
        "another": "Viết bình luận khác",
        "back_to_form": "Quay lại biểu mẫu",
    },
    "en": {
        "form_heading": "Leave a comment",
        "required_note": "Fields marked (*) are required.",
        "name": "Name",
        "phone": "Phone number",
        "title": "Title",
        "content": "Comment",
        "captcha": "Verification code",
        "phone_hint": "Optional, never shown publicly. E.g. 0912 345 678",
        "privacy_notice": "Privacy notice",
        "notice_version": "version",
        "consent": "I agree to my phone number being processed for this purpose"
        " (required if you give one).",
        "consent_always": "I agree to the privacy notice (required).",
        "captcha_hint": "Type the 5 characters in the picture (not case-sensitive).",
        "captcha_hint_audio": "Type the 7 digits you hear.",
        "captcha_alt": "Verification code picture; if you cannot see it, use the listen button",
        "refresh": "Get a new code",
        "listen": "Listen to the code",
        "audio_label": "Verification code read aloud",
        "audio_note": "The digits are read in English.",
        "captcha_failed": "The verification code could not be loaded.",
        "new_code": "A new verification code is ready.",
        "honeypot": "Website (leave this empty)",
        "submit": "Post comment",
        "sending": "Sending…",
        "success": "Thank you! Your comment is awaiting moderation.",
        "kept": "What you wrote is still here.",
        "offline": "Could not reach the comment server.",
        "retry": "Try again",
        "retry_hint": "Type the new verification code and send again.",
        "retry_after": "You can send again in {seconds} seconds.",
        "draft_restored": "Your unsent draft was restored.",
        "comments": "Comments",
        "no_comments": "No comments yet.",
        "more": "Show more comments",
        "comments_failed": "The comments could not be loaded.",
        "count": "{n}/{max} characters",
        "another": "Write another comment",
        "back_to_form": "Back to the form",
    },
}


def ui_text(lang: str) -> dict[str, str]:
    """The form's words in ``lang`` (Vietnamese when unknown)."""
    return UI[lang if lang in LANGUAGES else "vi"]
