"""The login form, the people list's filters, the invitation of an administrator and the import upload."""

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from members.imports.layouts import LAYOUTS
from members.models import IMPORT_ENCODING_CHOICES, ROLE_SCOPE, Role, Scope
from members.selectors import number_is_ambiguous
from orgs.forms import CollegeChoiceField, SearchForm
from orgs.models import College, SchoolClass, Tenant
from orgs.pages import id_of
from orgs.selectors import active_tenants


class LoginForm(AuthenticationForm):
    """Username or student number; the school is needed only when a number exists in several schools."""

    username = UsernameField(
        label=_("用户名或学号"), widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    password = forms.CharField(
        label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    tenant = forms.ModelChoiceField(
        label=_("学校"), queryset=Tenant.objects.none(), required=False, empty_label=_("（用学号登录时选择）"),
        help_text=_("用用户名登录时不必选择。"),
    )
    error_messages = {
        "invalid_login": _("用户名（学号）或密码不正确。"),
        "inactive": _("该账号已停用。"),
        "ambiguous_number": _("该学号在多所学校都存在，请选择学校后再登录。"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["tenant"].queryset = active_tenants()

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        tenant = self.cleaned_data.get("tenant")
        if username is not None and password:
            self.user_cache = authenticate(self.request, username=username, password=password, tenant=tenant)
            if self.user_cache is None:
                if tenant is None and number_is_ambiguous(username):
                    raise ValidationError(self.error_messages["ambiguous_number"], code="ambiguous_number")
                raise ValidationError(self.error_messages["invalid_login"], code="invalid_login")
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class PersonFilterForm(SearchForm):
    """Name or number prefix, college, and (once a college is chosen) one of its classes."""

    q = forms.CharField(label=_("姓名或学号"), required=False, max_length=100)
    college = CollegeChoiceField(
        label=_("学院"), queryset=College.objects.none(), required=False, empty_label=_("全部学院"),
        widget=forms.Select(attrs={"data-autosubmit": "", "data-clears": "school_class"}),
    )
    school_class = forms.ModelChoiceField(label=_("班级"), queryset=SchoolClass.objects.none(), required=False,
                                          empty_label=_("全部班级"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["college"].queryset = College.objects.order_by("code")
        college_id, class_id = str(self.data.get("college", "")), str(self.data.get("school_class", ""))
        classes = SchoolClass.objects.order_by("-enrolment_year", "name")
        if id_of(college_id):
            classes = classes.filter(college_id=id_of(college_id))
        elif id_of(class_id):
            classes = classes.filter(pk=id_of(class_id))
        else:  # a school may have thousands of classes: choose the college first
            classes = classes.none()
        self.fields["school_class"].queryset = classes


class AccountInviteForm(forms.Form):
    """The platform admin invites a school's administrator (no password: it is set through the link)."""

    username = UsernameField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=40)
    email = forms.EmailField(label=_("电子邮箱"), max_length=254,
                             help_text=_("本人的邮箱。激活链接只发送到这里，不在本页显示。"))
    role = forms.ChoiceField(label=_("角色"), choices=(), initial="tenant_admin")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in Role if ROLE_SCOPE[r] == Scope.TENANT]


class ImportUploadForm(forms.Form):
    """A spreadsheet to check and import (OR-4). The size limit is the school's policy, checked by the service;
    the form only says what it is."""

    kind = forms.ChoiceField(label=_("导入内容"), choices=())
    file = forms.FileField(
        label=_("文件"), allow_empty_file=True,  # the service refuses an empty file with the engine's own words
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv,application/vnd.openxmlformats-officedocument."
                                                "spreadsheetml.sheet,text/csv"}),
    )

    encoding = forms.ChoiceField(
        label=_("文件编码（仅 CSV）"), choices=IMPORT_ENCODING_CHOICES, required=False,
        help_text=_("一般选“自动识别”；认不出时系统会请你选择。繁体中文或日文 Windows 的 Excel 保存的 CSV "
                    "可直接选 Big5 或 Shift-JIS。"),
    )

    def __init__(self, *args, limit_mb: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind, layout.label) for kind, layout in LAYOUTS.items()]
        self.fields["file"].help_text = _("Excel（.xlsx）或 CSV 文件，不超过 %(limit)s MB；第一行是表头。") % {
            "limit": limit_mb}
