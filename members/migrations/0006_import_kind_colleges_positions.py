from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0005_tenant_verbose_name'),
    ]

    operations = [
        migrations.AlterField(
            model_name='importjob',
            name='kind',
            field=models.CharField(choices=[('students', '学生名册'), ('colleges', '学院与专业'), ('classes', '班级'), ('rooms', '寝室'), ('positions', '职务'), ('standing', '学业情况'), ('discipline', '违纪处分')], max_length=20, verbose_name='导入类型'),
        ),
    ]
