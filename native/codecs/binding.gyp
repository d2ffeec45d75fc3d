{
  "targets": [
    {
      "target_name": "cxr_codecs",
      "sources": ["src/addon.cc", "src/jpeg2000.cc", "src/jpeg12.cc", "src/equalize.cc"],
      "include_dirs": [
        "<!@(node -p \"process.env.OPENJPEG_INCLUDE_DIR || '/usr/include/openjpeg-2.5'\")",
        "<!@(node -p \"process.env.GDCM_JPEG12_INCLUDE_DIR || '/usr/include/gdcm-3.0/gdcmjpeg/12'\")"
      ],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "-Wall", "-Wno-unused-parameter"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "libraries": ["-lopenjp2", "-lgdcmjpeg12"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
