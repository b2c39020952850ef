<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- Qt's own words that its shipped catalogue (qtbase_zh_CN.qm) leaves in English: the file
     dialog's "Look in" and "Files of type" labels, a few standard buttons. Compiled with
     `pyside6-lrelease resources/translations/qt_extra_zh_CN.ts` into the .qm beside it, which
     ui/app.py loads after Qt's own. -->
<TS version="2.1" language="zh_CN">
<context>
    <name>QFileDialog</name>
    <message><source>&amp;Look in:</source><translation>查找范围(&amp;L)：</translation></message>
    <message><source>Files of &amp;type:</source><translation>文件类型(&amp;T)：</translation></message>
    <message><source>File name:</source><translation>文件名称：</translation></message>
    <message><source>Computer</source><translation>计算机</translation></message>
</context>
<context>
    <name>QPlatformTheme</name>
    <message><source>Yes</source><translation>是</translation></message>
    <message><source>No</source><translation>否</translation></message>
    <message><source>Don&apos;t Save</source><translation>不保存</translation></message>
    <message><source>Close without Saving</source><translation>关闭且不保存</translation></message>
</context>
<context>
    <name>QMessageBox</name>
    <message><source>OK</source><translation>确定</translation></message>
</context>
<context>
    <name>QFileSystemModel</name>
    <message><source>%1 bytes</source><translation>%1 字节</translation></message>
    <message><source>%1 KB</source><translation>%1 KB</translation></message>
    <message><source>%1 MB</source><translation>%1 MB</translation></message>
    <message><source>%1 GB</source><translation>%1 GB</translation></message>
</context>
</TS>
