{
  "targets": [
    {
      "target_name": "cxr_onednn",
      "sources": [
        "src/addon.cc",
        "src/batchNorm.cc",
        "src/convolution.cc",
        "src/elementwise.cc",
        "src/layout.cc",
        "src/pooling.cc",
        "src/reduction.cc"
      ],
      "include_dirs": ["<!@(node -p \"process.env.DNNL_INCLUDE_DIR || '/usr/include'\")"],
      "cflags_cc": ["-std=c++17", "-O3", "-fopenmp", "-fexceptions", "-Wall", "-Wno-unused-parameter"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-ldnnl", "-lgomp"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
