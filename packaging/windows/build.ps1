# Windows: builds dist\listing-studio\ with PyInstaller, runs its smoke check, then the per-user installer
# dist\Listing-Studio-<version>-setup.exe with Inno Setup 6 (ISCC). Run from any folder:
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1 [-Python path\to\python.exe]
param([string]$Python = "python")
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")

& $Python -m PyInstaller --noconfirm --clean --log-level WARN `
    --distpath dist --workpath build\pyinstaller packaging\listing-studio.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed ($LASTEXITCODE)" }

$env:QT_QPA_PLATFORM = "offscreen"
& dist\listing-studio\listing-studio.exe --smoke
if ($LASTEXITCODE -ne 0) { throw "the smoke check of dist\listing-studio\listing-studio.exe failed ($LASTEXITCODE)" }
Remove-Item Env:QT_QPA_PLATFORM

$iscc = Get-Command iscc.exe -ErrorAction SilentlyContinue
if ($iscc) { $iscc = $iscc.Source } else { $iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
if (-not (Test-Path $iscc)) { throw "Inno Setup 6 is not installed (choco install innosetup, or jrsoftware.org)" }
& $iscc /Qp packaging\windows\listing-studio.iss
if ($LASTEXITCODE -ne 0) { throw "ISCC failed ($LASTEXITCODE)" }
Get-ChildItem dist\Listing-Studio-*-setup.exe
