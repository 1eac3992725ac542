; Inno Setup 6.3+ script: the per-user installer of Listing Studio (no administrator rights needed).
; Build the app first (packaging\windows\build.ps1 does both): ISCC packaging\windows\listing-studio.iss
; The version is read from the version resource of the built program, so it is the package version.

#define AppName "Listing Studio"
#define AppExe AddBackslash(SourcePath) + "..\..\dist\listing-studio\Listing Studio.exe"
#if !FileExists(AppExe)
  #error Build the app first: dist\listing-studio\Listing Studio.exe is missing (packaging\windows\build.ps1)
#endif
#define AppVersion GetFileProductVersionString(AppExe)

[Setup]
; The AppId identifies the installation for upgrades and the uninstaller: never change it.
AppId={{6F0C2B7E-4A1D-4E57-9B8C-2D3A5F1E7C40}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Listing Studio developers
AppPublisherURL=https://github.com/listingstudio/listing-studio
VersionInfoVersion={#GetVersionNumbersString(AppExe)}
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\Listing Studio
DisableProgramGroupPage=yes
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\Listing Studio.exe
SetupIconFile=..\..\resources\icons\io.github.listingstudio.ListingStudio.ico
OutputDir=..\..\dist
OutputBaseFilename=Listing-Studio-{#AppVersion}-setup
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\listing-studio\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An upgrade replaces the bundled libraries entirely: no stale file of an older build stays next to the new ones.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{userprograms}\{#AppName}"; Filename: "{app}\Listing Studio.exe"
Name: "{userdesktop}\{#AppName}"; Filename: "{app}\Listing Studio.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\Listing Studio.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
