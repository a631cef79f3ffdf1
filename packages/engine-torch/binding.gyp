{
  "targets": [
    {
      "target_name": "deeprelax_torch",
      "sources": ["src/native/addon.cc", "src/native/cpu_allocator.cc", "src/native/model.cc", "src/native/reference.cc", "src/native/signal_guard.cc"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node scripts/find-libtorch.mjs --gyp include)"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "<!@(node scripts/find-libtorch.mjs --gyp defines)"],
      "libraries": ["<!@(node scripts/find-libtorch.mjs --gyp libs)"],
      "ldflags": ["<!@(node scripts/find-libtorch.mjs --gyp ldflags)"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O3", "-fno-math-errno", "-Wno-unused-parameter", "-Wno-deprecated-declarations"]
    }
  ]
}
