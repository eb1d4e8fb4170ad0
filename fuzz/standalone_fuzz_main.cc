// Runs a libFuzzer-style target without libFuzzer, so every build (g++ included) exercises the fuzz
// targets in CTest: each corpus file as is, then deterministic mutations of them (bit flips, byte
// overwrites, truncation, splices, insertions). Build with -DAURALINK_LIBFUZZER=ON under clang for
// coverage-guided fuzzing instead.
//   <fuzzer> [-runs=N] [-seed=S] [-max_len=B] FILE_OR_DIR...
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::vector<uint8_t> ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void Mutate(std::vector<uint8_t>* data, const std::vector<std::vector<uint8_t>>& corpus,
            std::mt19937_64* rng, size_t max_len) {
  auto pick = [&](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>((*rng)() % n); };
  const int mutations = 1 + static_cast<int>(pick(8));
  for (int m = 0; m < mutations; ++m) {
    switch (pick(7)) {
      case 0:  // flip one bit
        if (!data->empty()) (*data)[pick(data->size())] ^= static_cast<uint8_t>(1u << pick(8));
        break;
      case 1:  // overwrite a byte with an interesting value
        if (!data->empty()) {
          static constexpr uint8_t kInteresting[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x10, 0x40};
          (*data)[pick(data->size())] = kInteresting[pick(sizeof(kInteresting))];
        }
        break;
      case 2:  // truncate
        data->resize(pick(data->size() + 1));
        break;
      case 3:  // overwrite 4 bytes with a random 32-bit value (offsets, lengths, counts)
        if (data->size() >= 4) {
          size_t at = pick(data->size() - 3);
          uint32_t v = static_cast<uint32_t>((*rng)());
          for (int i = 0; i < 4; ++i) (*data)[at + i] = static_cast<uint8_t>(v >> (8 * i));
        }
        break;
      case 4:  // insert random bytes
        if (data->size() < max_len) {
          size_t at = pick(data->size() + 1);
          size_t n = 1 + pick(16);
          std::vector<uint8_t> bytes(n);
          for (auto& b : bytes) b = static_cast<uint8_t>((*rng)());
          data->insert(data->begin() + static_cast<std::ptrdiff_t>(at), bytes.begin(), bytes.end());
        }
        break;
      case 5:  // splice the tail of another corpus entry
        if (!corpus.empty()) {
          const auto& other = corpus[pick(corpus.size())];
          size_t keep = pick(data->size() + 1);
          size_t from = pick(other.size() + 1);
          data->resize(keep);
          data->insert(data->end(), other.begin() + static_cast<std::ptrdiff_t>(from), other.end());
        }
        break;
      default:  // erase a range
        if (!data->empty()) {
          size_t at = pick(data->size());
          size_t n = 1 + pick(std::min<size_t>(64, data->size() - at));
          data->erase(data->begin() + static_cast<std::ptrdiff_t>(at),
                      data->begin() + static_cast<std::ptrdiff_t>(at + n));
        }
        break;
    }
  }
  if (data->size() > max_len) data->resize(max_len);
}

}  // namespace

int main(int argc, char** argv) {
  long runs = 1000;
  uint64_t seed = 1;
  size_t max_len = 1 << 20;
  std::vector<std::vector<uint8_t>> corpus;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("-runs=", 0) == 0) {
      runs = std::strtol(arg.c_str() + 6, nullptr, 10);
    } else if (arg.rfind("-seed=", 0) == 0) {
      seed = std::strtoull(arg.c_str() + 6, nullptr, 10);
    } else if (arg.rfind("-max_len=", 0) == 0) {
      max_len = std::strtoull(arg.c_str() + 9, nullptr, 10);
    } else if (std::filesystem::is_directory(arg)) {
      for (const auto& entry : std::filesystem::directory_iterator(arg)) {
        if (entry.is_regular_file()) corpus.push_back(ReadWholeFile(entry.path()));
      }
    } else if (std::filesystem::is_regular_file(arg)) {
      corpus.push_back(ReadWholeFile(arg));
    } else {
      std::fprintf(stderr, "fuzz: no such file or directory: %s\n", arg.c_str());
      return 2;
    }
  }
  for (const auto& input : corpus) LLVMFuzzerTestOneInput(input.data(), input.size());
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> data;
  for (long run = 0; run < runs; ++run) {
    if (corpus.empty()) {
      data.resize(static_cast<size_t>(rng() % 256));
      for (auto& b : data) b = static_cast<uint8_t>(rng());
    } else {
      data = corpus[static_cast<size_t>(rng() % corpus.size())];
      Mutate(&data, corpus, &rng, max_len);
    }
    LLVMFuzzerTestOneInput(data.data(), data.size());
  }
  std::printf("fuzz: %zu corpus inputs and %ld mutated inputs ran without a crash\n", corpus.size(),
              runs);
  return 0;
}
