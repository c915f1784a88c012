# node-gyp build of confidant_native: single-precision GEMM through a system BLAS, and the
# memory-bound kernels (elementwise, rows, reductions, transposes) on a small thread pool.
#   Linux:   OpenBLAS (Debian/Ubuntu: apt-get install libopenblas-dev; Fedora: openblas-devel),
#            found through pkg-config, else -lopenblas on the default paths.
#   macOS:   Apple's Accelerate framework (always present).
#   Windows: OpenBLAS from vcpkg or a release zip; set OPENBLAS_ROOT to the folder holding
#            include/cblas.h and lib/openblas.lib (libopenblas.dll must be on PATH at run time).
{
  "targets": [
    {
      "target_name": "confidant_native",
      "sources": [
        "src/confidant_native.cc",
        "src/elementwise.cc",
        "src/rows.cc",
        "src/thread_pool.cc"
      ],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-fno-trapping-math", "-pthread"],
      "ldflags": ["-pthread"],
      "conditions": [
        [
          "OS=='linux'",
          {
            "cflags_cc": ["<!@(pkg-config --cflags openblas 2>/dev/null || true)"],
            "libraries": ["<!@(pkg-config --libs openblas 2>/dev/null || echo -lopenblas)"],
            "defines": ["CONFIDANT_OPENBLAS"]
          }
        ],
        [
          "OS=='mac'",
          {
            "defines": ["CONFIDANT_ACCELERATE", "ACCELERATE_NEW_LAPACK"],
            "libraries": ["-framework Accelerate"],
            "xcode_settings": {
              "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17", "-fno-math-errno", "-fno-trapping-math"],
              "MACOSX_DEPLOYMENT_TARGET": "11.0"
            }
          }
        ],
        [
          "OS=='win'",
          {
            "defines": ["CONFIDANT_OPENBLAS"],
            "include_dirs": ["<!(node -p \"process.env.OPENBLAS_ROOT || 'C:/openblas'\")/include"],
            "libraries": ["<!(node -p \"process.env.OPENBLAS_ROOT || 'C:/openblas'\")/lib/openblas.lib"],
            "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/O2", "/std:c++17"] } }
          }
        ]
      ]
    }
  ]
}
