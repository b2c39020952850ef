; The Windows installer: the one-folder build (dist\inspector\, see build.spec) installed for the
; current user, with the Start-menu shortcut "质量督导评估" to the window. Builds on Windows and on
; Linux (Debian's nsis package), from the repository root:
;
;   makensis -DVERSION=0.1.0 installer/inspector.nsi
;
; makensis works in this folder (installer/): relative paths are from here. It takes the build from
; ../dist/inspector (-DDIST=… for another) and writes ../dist/质量督导评估-VERSION-安装.exe (-DOUTFILE=…).
;
; Per-user (no administrator rights: inspectors' laptops are often locked down), under
; %LOCALAPPDATA%\Programs. The data folder is elsewhere (%LOCALAPPDATA%\inspector, inspector/paths.py)
; and is never touched by installing, updating or uninstalling.
;
; Code signing (docs/platforms.md, a release step): sign the two executables before running this,
; then the installer it makes; with -DSIGN="osslsigncode sign -pkcs12 … -in %1 -out %1.signed && mv %1.signed %1"
; (or signtool on Windows) makensis signs the installer and its uninstaller itself.

Unicode true
ManifestDPIAware true
RequestExecutionLevel user
SetCompressor /SOLID lzma

!ifndef VERSION
  !error "give the version: -DVERSION=x.y.z"
!endif
!ifndef DIST
  !define DIST "../dist/inspector"
!endif
!ifndef OUTFILE
  !define OUTFILE "../dist/质量督导评估-${VERSION}-安装.exe"
!endif

!define APP "质量督导评估"
!define GUI_EXE "质量督导评估.exe"
!define CLI_EXE "inspector.exe"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Inspector"

; Both executables must be there: a build made elsewhere, or an old one, is refused here, not
; discovered by a user whose shortcut leads nowhere.
!if ! /FileExists "${DIST}/${GUI_EXE}"
  !error "${DIST}/${GUI_EXE} is missing: build on Windows first (.venv\Scripts\pyinstaller build.spec)"
!endif
!if ! /FileExists "${DIST}/${CLI_EXE}"
  !error "${DIST}/${CLI_EXE} is missing: build on Windows first"
!endif

!ifdef SIGN
  !finalize '${SIGN}'
  !uninstfinalize '${SIGN}'
!endif

Name "${APP}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\Inspector"
InstallDirRegKey HKCU "Software\Inspector" "InstallDir"
BrandingText "${APP} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=2052 "ProductName" "${APP}"
VIAddVersionKey /LANG=2052 "FileDescription" "${APP} 安装程序"
VIAddVersionKey /LANG=2052 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "CompanyName" "职业技能鉴定指导中心"
VIAddVersionKey /LANG=2052 "LegalCopyright" "职业技能鉴定指导中心"

!include "MUI2.nsh"
!define MUI_ICON "../resources/icons/inspector.ico"
!define MUI_UNICON "../resources/icons/inspector.ico"
!define MUI_FINISHPAGE_RUN "$INSTDIR\${GUI_EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "打开${APP}"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "SimpChinese"

Section "${APP}" SecMain
  SectionIn RO
  ; an update replaces the program's folder whole: no file of an older build is left behind
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File /r "${DIST}/*"
  WriteUninstaller "$INSTDIR\卸载.exe"

  ; the window is what users look for: the Start menu and the desktop lead to it
  CreateShortCut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\${GUI_EXE}" "" "$INSTDIR\${GUI_EXE}" 0
  CreateShortCut "$DESKTOP\${APP}.lnk" "$INSTDIR\${GUI_EXE}" "" "$INSTDIR\${GUI_EXE}" 0

  WriteRegStr HKCU "Software\Inspector" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "职业技能鉴定指导中心"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${GUI_EXE}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\卸载.exe"'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  ; the program only: the data folder (%LOCALAPPDATA%\inspector, or data\ of a portable copy
  ; elsewhere) holds the marks and signatures and stays
  Delete "$SMPROGRAMS\${APP}.lnk"
  Delete "$DESKTOP\${APP}.lnk"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${GUI_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  Delete "$INSTDIR\卸载.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DeleteRegKey HKCU "Software\Inspector"
SectionEnd
